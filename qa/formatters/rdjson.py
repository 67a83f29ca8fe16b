"""--format rdjson: reviewdog Diagnostic Format (DiagnosticResult as JSON).

Positions are 1-based lines and UTF-8 byte columns with an exclusive end, as the
format defines; each suggestion replaces the flagged span. Rule codes carry no URL
because qa has no published rule pages: `qa explain CODE` prints the documentation.
"""

from __future__ import annotations

import json
from typing import Any

from qa.formatters.ci import utf8_position
from qa.issue import Issue, Severity
from qa.report import FileResult, Report

SEVERITY = {Severity.CRITICAL: "ERROR", Severity.MAJOR: "ERROR", Severity.MINOR: "WARNING"}


def render(report: Report) -> str:
    diagnostics = [{"message": error, "severity": "ERROR", "code": {"value": "qa-error"}}
                   for error in report.errors]
    for result in report.files:
        if result.error:
            diagnostics.append({"message": result.error, "location": {"path": result.path},
                                "severity": "ERROR", "code": {"value": "qa-error"}})
        diagnostics += [diagnostic(result, issue) for issue in result.issues]
    out = {"source": {"name": "qa"}, "diagnostics": diagnostics}
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def diagnostic(result: FileResult, issue: Issue) -> dict[str, Any]:
    start_line, start_column = utf8_position(result, issue.start)
    end_line, end_column = utf8_position(result, issue.end)
    span = {"start": {"line": start_line, "column": start_column},
            "end": {"line": end_line, "column": end_column}}
    message = f"{issue.message} ({issue.name}, confidence {issue.confidence:.2f})"
    if issue.intended:
        message += f"\nIntended: {issue.intended}"
    return {"message": message, "location": {"path": result.path, "range": span},
            "severity": SEVERITY[issue.severity], "code": {"value": issue.rule},
            "suggestions": [{"range": span, "text": s} for s in issue.suggestions]}
