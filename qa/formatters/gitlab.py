"""--format gitlab: GitLab Code Quality JSON (a Code Climate issue list) for merge requests.

Severities map minor/major/critical to the same GitLab names, and a file that
could not be checked is a "blocker". The fingerprint must be unique in the report
and stable across commits: it hashes the path, the issue fingerprint (rule +
normalised sentence + span text) and the occurrence number within the file.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from qa.issue import Issue
from qa.report import FileResult, Report


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def render(report: Report) -> str:
    entries: list[dict[str, Any]] = []
    for number, error in enumerate(report.errors):
        entries.append(error_entry("", error, digest("run-error", str(number), error)))
    for result in report.files:
        if result.error:
            entries.append(error_entry(result.path, result.error, digest("file-error", result.path)))
        seen: Counter[str] = Counter()
        for issue in result.issues:
            fingerprint = result.fingerprint(issue)
            seen[fingerprint] += 1
            entries.append(entry(result, issue, digest(result.path, fingerprint, str(seen[fingerprint]))))
    return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"


def entry(result: FileResult, issue: Issue, fingerprint: str) -> dict[str, Any]:
    line, end_line = result.locate(issue.start)[0], result.locate(issue.end)[0]
    description = f"{issue.rule} {issue.name}: {issue.message}"
    if issue.suggestions:
        description += " Suggestions: " + " | ".join(issue.suggestions[:3])
    return {"type": "issue", "check_name": issue.rule, "description": description,
            "severity": str(issue.severity), "fingerprint": fingerprint,
            "location": {"path": result.path, "lines": {"begin": line, "end": end_line}},
            "engine_name": "qa"}


def error_entry(path: str, message: str, fingerprint: str) -> dict[str, Any]:
    return {"type": "issue", "check_name": "qa-error", "description": message,
            "severity": "blocker", "fingerprint": fingerprint,
            "location": {"path": path, "lines": {"begin": 1}}, "engine_name": "qa"}
