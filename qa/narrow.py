"""Narrow a finished report to what CI should act on: new issues, on changed lines.

Dropped issues leave the report before anything reads it, so scores, summaries and
the exit code all describe what is shown (as ruff does with its baseline-like
filters). Sentence scores are recomputed from what remains.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping

from qa.baseline import Baseline
from qa.changes import FileChanges
from qa.issue import Issue
from qa.report import FileResult, Report
from qa.scoring import mqm_score, penalty

Keep = Callable[[FileResult, Issue], bool]


def narrow(report: Report, baseline: Baseline | None = None,
           changes: Mapping[str, FileChanges] | None = None) -> tuple[Report, int]:
    """The report without baseline-known issues and issues in unchanged sentences,
    and the number of issues the baseline removed."""
    known = 0
    if baseline is not None:
        before = len(report.issues)
        report = keep_issues(report, lambda result, issue: result.fingerprint(issue) not in baseline)
        known = before - len(report.issues)
    if changes is not None:
        report = keep_issues(report, lambda result, issue: on_changed_lines(result, issue, changes))
    return report, known


def on_changed_lines(result: FileResult, issue: Issue, changes: Mapping[str, FileChanges]) -> bool:
    file_changes = changes.get(result.path)
    if file_changes is None:
        return True
    if issue.sentence < len(result.sentences):
        sentence = result.sentences[issue.sentence]
        start, end = sentence.start, sentence.end
    else:
        start, end = issue.start, issue.end
    first = result.locate(start)[0]
    last = result.locate(max(end - 1, start))[0]
    return file_changes.touches(first, last)


def keep_issues(report: Report, keep: Keep) -> Report:
    return replace(report, files=tuple(_keep_in_file(result, keep) for result in report.files))


def _keep_in_file(result: FileResult, keep: Keep) -> FileResult:
    issues = tuple(issue for issue in result.issues if keep(result, issue))
    if len(issues) == len(result.issues):
        return result
    sentences = tuple(replace(s, score=mqm_score(penalty(i.severity for i in issues if i.sentence == s.index),
                                                  s.words))
                      for s in result.sentences)
    return replace(result, issues=issues, sentences=sentences)
