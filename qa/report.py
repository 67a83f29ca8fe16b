"""Report records: one canonical result that every formatter renders."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from qa.document import Notice, line_starts, locate
from qa.issue import Issue, Severity
from qa.scoring import mqm_score, penalty
from qa.suppress import fingerprint

SCHEMA = "qa-report/1"


@dataclass(frozen=True)
class Signature:
    """What produced a report, so results can be reproduced and cached safely."""

    qa_version: str
    language: str
    config_hash: str
    languagetool_version: str | None = None
    models: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"qa_version": self.qa_version, "language": self.language,
                "languagetool_version": self.languagetool_version,
                "models": dict(self.models), "config_hash": self.config_hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Signature:
        return cls(data["qa_version"], data["language"], data["config_hash"],
                   data.get("languagetool_version"), dict(data.get("models", {})))


@dataclass(frozen=True, slots=True)
class SentenceResult:
    index: int
    start: int
    end: int
    words: int
    score: float


@dataclass(frozen=True)
class FileResult:
    path: str
    text: str = ""
    sentences: tuple[SentenceResult, ...] = ()
    issues: tuple[Issue, ...] = ()
    error: str | None = None
    warnings: tuple[Notice, ...] = ()  # problems that did not stop checking (broken markup, ...)
    source: str | None = None  # the text this one was translated from, when known
    reference: str | None = None  # a reference translation, when known

    @cached_property
    def _line_starts(self) -> tuple[int, ...]:
        return line_starts(self.text)

    def locate(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a code-point offset."""
        return locate(self._line_starts, offset)

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sentences)

    @property
    def score(self) -> float | None:
        if self.error is not None and not self.sentences:
            return None
        return mqm_score(penalty(i.severity for i in self.issues), self.words)

    def sentence_issues(self, index: int) -> list[Issue]:
        return [issue for issue in self.issues if issue.sentence == index]

    def fingerprint(self, issue: Issue) -> str:
        sentence = self.sentences[issue.sentence] if issue.sentence < len(self.sentences) else None
        sentence_text = self.text[sentence.start:sentence.end] if sentence else ""
        return fingerprint(issue.rule, sentence_text, self.text[issue.start:issue.end])

    def issue_dict(self, issue: Issue) -> dict[str, Any]:
        line, column = self.locate(issue.start)
        end_line, end_column = self.locate(issue.end)
        return {**issue.to_dict(), "line": line, "column": column,
                "end_line": end_line, "end_column": end_column,
                "text": self.text[issue.start:issue.end], "fingerprint": self.fingerprint(issue)}

    def warning_dict(self, warning: Notice) -> dict[str, Any]:
        line, column = self.locate(warning.start) if warning.start is not None else (None, None)
        return {"kind": warning.kind, "message": warning.message, "start": warning.start,
                "line": line, "column": column}

    def to_dict(self) -> dict[str, Any]:
        data = {
            "path": self.path, "error": self.error, "score": self.score, "words": self.words,
            "text": self.text,
            "sentences": [{"index": s.index, "start": s.start, "end": s.end, "words": s.words,
                           "score": s.score} for s in self.sentences],
            "issues": [self.issue_dict(issue) for issue in self.issues],
            "warnings": [self.warning_dict(warning) for warning in self.warnings],
        }
        # Optional keys appear only when known, so reports without them are unchanged.
        for key in ("source", "reference"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileResult:
        return cls(
            path=data["path"], text=data.get("text", ""), error=data.get("error"),
            sentences=tuple(SentenceResult(s["index"], s["start"], s["end"], s["words"], s["score"])
                            for s in data.get("sentences", ())),
            issues=tuple(Issue.from_dict(i) for i in data.get("issues", ())),
            warnings=tuple(Notice(w["kind"], w["message"], w.get("start"))
                           for w in data.get("warnings", ())),
            source=data.get("source"), reference=data.get("reference"))


@dataclass(frozen=True)
class Report:
    signature: Signature
    files: tuple[FileResult, ...]
    errors: tuple[str, ...] = ()  # run-level problems, e.g. an engine that could not start

    @property
    def issues(self) -> list[Issue]:
        return [issue for result in self.files for issue in result.issues]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(result.error for result in self.files)

    def summary(self) -> dict[str, Any]:
        issues = self.issues
        words = sum(result.words for result in self.files)
        severities = Counter(str(issue.severity) for issue in issues)
        return {
            "files": len(self.files),
            "files_with_errors": sum(1 for result in self.files if result.error),
            "sentences": sum(len(result.sentences) for result in self.files),
            "words": words,
            "issues": len(issues),
            "by_severity": {s.value: severities.get(s.value, 0) for s in Severity},
            "by_category": dict(sorted(Counter(str(i.category) for i in issues).items())),
            "by_rule": dict(sorted(Counter(i.rule for i in issues).items())),
            "score": mqm_score(penalty(i.severity for i in issues), words),
            "errors": list(self.errors),
            "warnings": sum(len(result.warnings) for result in self.files),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "signature": self.signature.to_dict(),
                "files": [result.to_dict() for result in self.files], "summary": self.summary()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report (schema is {data.get('schema')!r})")
        return cls(Signature.from_dict(data["signature"]),
                   tuple(FileResult.from_dict(f) for f in data["files"]),
                   tuple(data.get("summary", {}).get("errors", ())))


class ReportFileError(ValueError):
    """A saved report that cannot be read; the message names the file and the place."""


def load_report(path: str | Path) -> Report:
    """Read a saved qa-report/1 JSON file, validated against the shipped schema."""
    import json
    from importlib import resources

    import jsonschema

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportFileError(f"{path}: cannot read report ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise ReportFileError(f"{path}: not valid UTF-8 at byte offset {error.start}") from None
    except json.JSONDecodeError as error:
        raise ReportFileError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: "
                              f"{error.msg}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ReportFileError(f"{path}: not a {SCHEMA} report (schema is {found!r})")
    schema = json.loads(resources.files("qa").joinpath("schemas/qa-report-1.schema.json").read_text())
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        raise ReportFileError(f"{path}: invalid {SCHEMA} report at {error.json_path}: {error.message}")
    return Report.from_dict(data)
