"""--format junit: JUnit XML for CI test-report views.

One <testsuite> per file and one <testcase> per sentence, so a clean sentence is a
passing test and the counts read as "sentences with issues out of sentences".
A sentence with issues has one <failure> (type = its worst severity) that lists
every issue; a file that could not be checked gets an <error> test case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qa.formatters.ci import visible, worst_first
from qa.issue import Issue
from qa.report import FileResult, Report

NAME_CHARS = 60


def render(report: Report) -> str:
    root = ET.Element("testsuites", name="qa")
    suites = [suite(result) for result in report.files]
    if report.errors:
        suites.append(run_errors(report.errors))
    for attribute in ("tests", "failures", "errors"):
        root.set(attribute, str(sum(int(s.get(attribute)) for s in suites)))
    root.extend(suites)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def run_errors(errors: tuple[str, ...]) -> ET.Element:
    """Run-level problems (an engine that could not start) as one erroring test case."""
    element = ET.Element("testsuite", name="qa run", tests="1", failures="0", errors="1", skipped="0")
    case = ET.SubElement(element, "testcase", classname="qa", name="run")
    ET.SubElement(case, "error", message=visible(errors[0]), type="error").text = \
        visible("\n".join(errors))
    return element


def suite(result: FileResult) -> ET.Element:
    path = visible(result.path)
    element = ET.Element("testsuite", name=path)
    tests = failures = errors = 0
    if result.score is not None:
        properties = ET.SubElement(element, "properties")
        ET.SubElement(properties, "property", name="score", value=f"{result.score:.2f}")
    cases = []
    for sentence in result.sentences:
        line = result.locate(sentence.start)[0]
        text = " ".join(result.text[sentence.start:sentence.end].split())
        if len(text) > NAME_CHARS:
            text = text[:NAME_CHARS - 1] + "…"
        cases.append((f"sentence {sentence.index + 1} (line {line}): {text}",
                      result.sentence_issues(sentence.index)))
    indices = {sentence.index for sentence in result.sentences}
    orphans = [issue for issue in result.issues if issue.sentence not in indices]
    if orphans:  # e.g. a report read back without its sentences: no issue may go missing
        cases.append(("issues outside any sentence", orphans))
    for name, issues in cases:
        tests += 1
        case = ET.SubElement(element, "testcase", classname=path, name=visible(name))
        if issues:
            issues = sorted(issues, key=worst_first)
            failures += 1
            failure = ET.SubElement(case, "failure", message=visible(summary(issues)),
                                    type=str(issues[0].severity))
            failure.text = visible("\n".join(describe(result, issue) for issue in issues))
    if result.error:
        tests, errors = tests + 1, 1
        case = ET.SubElement(element, "testcase", classname=path, name="check file")
        ET.SubElement(case, "error", message=visible(result.error.splitlines()[0]),
                      type="error").text = visible(result.error)
    for attribute, value in (("tests", tests), ("failures", failures), ("errors", errors),
                             ("skipped", 0)):
        element.set(attribute, str(value))
    return element


def summary(issues: list[Issue]) -> str:
    return "; ".join(f"{issue.rule} {issue.severity}: {issue.message}" for issue in issues)


def describe(result: FileResult, issue: Issue) -> str:
    line, column = result.locate(issue.start)
    text = f"{result.path}:{line}:{column}: {issue.rule} {issue.severity} ({issue.confidence:.2f}) " \
           f"{issue.name}: {issue.message}\n    {result.text[issue.start:issue.end]!r}"
    if issue.suggestions:
        text += " -> " + " | ".join(repr(s) for s in issue.suggestions[:3])
    if issue.intended:
        text += f"\n    intended: {issue.intended}"
    return text
