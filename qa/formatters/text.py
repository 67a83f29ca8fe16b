"""--format text: grouped by file and sentence, for people."""

from __future__ import annotations

import textwrap

from qa.report import FileResult, Report

MAX_SENTENCE_CHARS = 240


def render(report: Report) -> str:
    lines: list[str] = []
    for result in report.files:
        lines += render_file(result)
    for error in report.errors:
        lines.append(f"error: {error}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_file(result: FileResult) -> list[str]:
    if result.error and not result.sentences:
        return [f"{result.path}: error: {result.error}", ""]
    header = (f"{result.path}  score {result.score:.2f}  "
              f"({len(result.sentences)} sentences, {result.words} words, "
              f"{len(result.issues)} issues)")
    lines = [header]
    if result.error:
        lines.append(f"  error: {result.error}")
    for warning in result.warnings:
        where = result.path
        if warning.start is not None:
            line, column = result.locate(warning.start)
            where = f"{result.path}:{line}:{column}"
        lines.append(f"  {where}: warning: {warning.message}")
    for sentence in result.sentences:
        issues = result.sentence_issues(sentence.index)
        if not issues:
            continue
        text = " ".join(result.text[sentence.start:sentence.end].split())
        lines.append(f"  sentence {sentence.index + 1}  score {sentence.score:.2f}")
        lines += textwrap.wrap(shorten(text), 100, initial_indent="  | ", subsequent_indent="  | ")
        for issue in issues:
            line, column = result.locate(issue.start)
            lines.append(f"  {result.path}:{line}:{column}: {issue.rule} {issue.severity} "
                         f"({issue.confidence:.2f}) {issue.name}: {issue.message}")
            flagged = " ".join(result.text[issue.start:issue.end].split())
            if issue.suggestions:
                lines.append(f"      {flagged!r} -> " + " | ".join(repr(s) for s in issue.suggestions[:3]))
            else:
                lines.append(f"      {flagged!r}")
            if issue.intended:
                lines.append(f"      intended: {issue.intended}")
    lines.append("")
    return lines


def shorten(text: str) -> str:
    return text if len(text) <= MAX_SENTENCE_CHARS else text[:MAX_SENTENCE_CHARS - 1] + "…"


def summary_line(report: Report) -> str:
    summary = report.summary()
    severities = summary["by_severity"]
    errors = summary["files_with_errors"] + len(summary["errors"])
    warnings = summary["warnings"]
    files = f"{summary['files']} file" + ("s" if summary["files"] != 1 else "")
    return (f"Checked {files}, {summary['sentences']} sentences: {summary['issues']} issues "
            f"({severities['critical']} critical, {severities['major']} major, "
            f"{severities['minor']} minor), score {summary['score']:.2f}"
            + (f", {errors} errors" if errors else "")
            + (f", {warnings} warning" + ("s" if warnings != 1 else "") if warnings else ""))
