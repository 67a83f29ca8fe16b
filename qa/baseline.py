"""Baselines: a qa-baseline/1 file lists fingerprints of known issues that a run skips.

{"schema": "qa-baseline/1",
 "issues": [{"fingerprint": "<20 hex>", "rule": "GR002", "path": "a.txt", "text": "go"}]}

Only "fingerprint" decides; rule, path and text are there for people reading the file.
The HTML report writes this format from the issues dismissed in the page.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from qa.report import FileResult, Report, SentenceResult
from qa.scoring import mqm_score, penalty

SCHEMA = "qa-baseline/1"
_FINGERPRINT_RE = re.compile(r"^[0-9a-f]{20}$")


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message names the file and the place."""


def load_baseline(path: str | Path) -> frozenset[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise BaselineError(f"{path}: not valid UTF-8 at byte offset {error.start}") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: "
                            f"{error.msg}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise BaselineError(f"{path}: not a {SCHEMA} file (schema is {found!r})")
    entries = data.get("issues")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: \"issues\" must be a list")
    fingerprints = set()
    for number, entry in enumerate(entries):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not _FINGERPRINT_RE.match(value):
            raise BaselineError(f"{path}: issues[{number}]: \"fingerprint\" must be 20 lowercase "
                                f"hex digits, got {value!r}")
        fingerprints.add(value)
    return frozenset(fingerprints)


def apply_baseline(report: Report, fingerprints: frozenset[str]) -> Report:
    """The report without baselined issues, with sentence scores recomputed."""
    if not fingerprints:
        return report
    return replace(report, files=tuple(_without(result, fingerprints) for result in report.files))


def _without(result: FileResult, fingerprints: frozenset[str]) -> FileResult:
    kept = tuple(i for i in result.issues if result.fingerprint(i) not in fingerprints)
    if len(kept) == len(result.issues):
        return result
    by_sentence: dict[int, list] = {}
    for issue in kept:
        by_sentence.setdefault(issue.sentence, []).append(issue.severity)
    sentences = tuple(
        SentenceResult(s.index, s.start, s.end, s.words,
                       mqm_score(penalty(by_sentence.get(s.index, ())), s.words))
        for s in result.sentences)
    return replace(result, issues=kept, sentences=sentences)
