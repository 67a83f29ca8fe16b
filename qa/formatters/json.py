"""--format json: the versioned qa-report/1 document (schema in qa/schemas/)."""

import json

from qa.report import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
