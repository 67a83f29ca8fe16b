"""--format checkstyle: Checkstyle XML, read by Jenkins, reviewdog and many CI plugins.

Columns are 1-based characters (code points). source is "qa.<CODE>".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qa.formatters.ci import ERROR_WARNING, visible
from qa.report import Report


def render(report: Report) -> str:
    root = ET.Element("checkstyle", version="4.3")
    for error in report.errors:
        ET.SubElement(ET.SubElement(root, "file", name=""), "error", severity="error",
                      message=visible(error), source="qa.error")
    for result in report.files:
        element = ET.SubElement(root, "file", name=visible(result.path))
        if result.error:
            ET.SubElement(element, "error", line="1", severity="error",
                          message=visible(result.error), source="qa.error")
        for issue in result.issues:
            line, column = result.locate(issue.start)
            message = f"{issue.message} ({issue.name}, confidence {issue.confidence:.2f})"
            if issue.suggestions:
                message += " Suggestions: " + " | ".join(issue.suggestions[:3])
            ET.SubElement(element, "error", line=str(line), column=str(column),
                          severity=ERROR_WARNING[issue.severity], message=visible(message),
                          source=f"qa.{issue.rule}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
