"""Baselines: record today's issues so CI reports and fails only on new ones.

The file is the qa-baseline/1 document (the HTML report exports the same shape):

    {"schema": "qa-baseline/1",
     "issues": [{"fingerprint": "<20 hex>", "rule": "GR002", "path": "a.txt", "text": "go"}]}

An issue is known when its fingerprint (rule + normalised sentence + span text,
see qa.suppress) is listed, wherever it sits: in any file, on any line. rule, path
and text are there for people reading the file and are not matched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from qa.report import Report

SCHEMA = "qa-baseline/1"
_FINGERPRINT_RE = re.compile(r"^[0-9a-f]{20}$")


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]

    def __contains__(self, fingerprint: str) -> bool:
        return fingerprint in self.fingerprints

    def __len__(self) -> int:
        return len(self.fingerprints)


def entries(report: Report) -> list[dict[str, str]]:
    """One entry per distinct (fingerprint, path), in report order."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for result in report.files:
        for issue in result.issues:
            fingerprint = result.fingerprint(issue)
            seen.setdefault((fingerprint, result.path), {
                "fingerprint": fingerprint, "rule": issue.rule, "path": result.path,
                "text": result.text[issue.start:issue.end]})
    return list(seen.values())


def dumps(items: Iterable[dict[str, str]]) -> str:
    """One issue per line, so a baseline diffs well in review."""
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    body = ",\n".join(f"    {line}" for line in lines)
    return (f'{{\n  "schema": "{SCHEMA}",\n  "issues": [\n{body}\n  ]\n}}\n' if lines
            else f'{{\n  "schema": "{SCHEMA}",\n  "issues": []\n}}\n')


def save(path: Path, report: Report) -> int:
    """Write the report's issues as a baseline, atomically; returns how many were recorded."""
    from qa.engines.languagetool import write_atomic_text

    items = entries(report)
    write_atomic_text(path, dumps(items))
    return len(items)


def load(path: Path) -> Baseline:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: cannot read baseline ({error})") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}: invalid JSON at line {error.lineno} column {error.colno} "
                            f"({error.msg})") from None
    return Baseline(frozenset(parse(data, str(path))))


def parse(data: Any, origin: str) -> list[str]:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise BaselineError(f"{origin}: not a {SCHEMA} baseline (schema is {found!r})")
    issues = data.get("issues")
    if not isinstance(issues, list):
        raise BaselineError(f"{origin}: 'issues' must be a list")
    fingerprints = []
    for number, item in enumerate(issues):
        fingerprint = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fingerprint, str) or not _FINGERPRINT_RE.match(fingerprint):
            raise BaselineError(f"{origin}: issues[{number}].fingerprint must be 20 lowercase hex "
                                f"digits, got {fingerprint!r}")
        fingerprints.append(fingerprint)
    return fingerprints
