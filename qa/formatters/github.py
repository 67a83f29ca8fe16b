"""--format github: GitHub Actions workflow commands that annotate the pull request.

GitHub shows at most 10 error and 10 warning annotations per step (and 50 per
job), so qa emits the most severe and most confident ones up to those limits, in
file order, then one notice saying how many were left out. Columns are counted in
characters (code points) and given only when an issue starts and ends on one line.
"""

from __future__ import annotations

from qa.formatters.ci import ERROR_WARNING, visible, worst_first
from qa.issue import Issue
from qa.report import FileResult, Report

PER_STEP = {"error": 10, "warning": 10}


def escape_data(text: str) -> str:
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{level} {props}::{escape_data(message)}" if props else f"::{level}::{escape_data(message)}"


def render(report: Report) -> str:
    errors = [command("error", error, title="qa") for error in report.errors]
    errors += [command("error", result.error, file=result.path, title="qa")
               for result in report.files if result.error]
    lines = errors[:PER_STEP["error"]]
    used = {"error": len(lines), "warning": 0}
    located = [(result, issue) for result in report.files for issue in result.issues]
    chosen: set[int] = set()
    for position, (_, issue) in sorted(enumerate(located), key=lambda p: worst_first(p[1][1])):
        level = ERROR_WARNING[issue.severity]
        if used[level] < PER_STEP[level]:
            used[level] += 1
            chosen.add(position)
    lines += [annotation(result, issue) for position, (result, issue) in enumerate(located)
              if position in chosen]
    omitted_issues, omitted_errors = len(located) - len(chosen), len(errors) - PER_STEP["error"]
    if omitted_issues or omitted_errors > 0:
        what = f"{omitted_issues} more issues" + (f" and {omitted_errors} more file errors"
                                                  if omitted_errors > 0 else "")
        lines.append(command("notice", f"{what} not annotated: GitHub shows at most 10 error and "
                                       "10 warning annotations per step. Upload the SARIF report "
                                       "(--format sarif) to see them all.", title="qa"))
    return "".join(line + "\n" for line in lines)


def annotation(result: FileResult, issue: Issue) -> str:
    line, column = result.locate(issue.start)
    end_line, end_column = result.locate(issue.end)
    position: dict[str, object] = {"file": result.path, "line": line}
    if end_line == line:
        position.update(col=column, endLine=end_line, endColumn=end_column)
    else:
        position["endLine"] = end_line
    message = f"{issue.message} ({issue.name}, {issue.severity}, confidence {issue.confidence:.2f})"
    if issue.suggestions:
        message += "\nSuggestions: " + " | ".join(issue.suggestions[:3])
    if issue.intended:
        message += f"\nIntended: {issue.intended}"
    return command(ERROR_WARNING[issue.severity], message, **position, title=issue.rule)
