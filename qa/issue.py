"""The canonical finding record: one Issue per flagged span."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping


class Severity(StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


class Category(StrEnum):
    """MQM-style error categories, "top/sub"."""

    ACCURACY_MISTRANSLATION = "accuracy/mistranslation"
    ACCURACY_OMISSION = "accuracy/omission"
    FLUENCY_GRAMMAR = "fluency/grammar"
    FLUENCY_SPELLING = "fluency/spelling"
    FLUENCY_PUNCTUATION = "fluency/punctuation"
    FLUENCY_INCONSISTENCY = "fluency/inconsistency"
    STYLE_AWKWARD = "style/awkward"
    TERMINOLOGY_INCONSISTENT = "terminology/inconsistent"
    TERMINOLOGY_WRONG_TERM = "terminology/wrong-term"


@dataclass(frozen=True, slots=True)
class Issue:
    rule: str  # stable code, e.g. "GR002"
    name: str  # family-first dotted name, e.g. "grammar.agreement"
    family: str
    category: Category
    severity: Severity
    confidence: float  # 0..1
    start: int  # half-open code-point offsets into the document text
    end: int
    sentence: int  # index into Document.sentences
    message: str
    suggestions: tuple[str, ...] = ()
    intended: str | None = None  # likely intended wording of the sentence
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "family": self.family,
            "category": str(self.category),
            "severity": str(self.severity),
            "confidence": round(self.confidence, 4),
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "message": self.message,
            "suggestions": list(self.suggestions),
            "intended": self.intended,
            "evidence": dict(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Issue:
        return cls(
            rule=data["rule"],
            name=data["name"],
            family=data["family"],
            category=Category(data["category"]),
            severity=Severity(data["severity"]),
            confidence=float(data["confidence"]),
            start=int(data["start"]),
            end=int(data["end"]),
            sentence=int(data["sentence"]),
            message=data["message"],
            suggestions=tuple(data.get("suggestions", ())),
            intended=data.get("intended"),
            evidence=dict(data.get("evidence", {})),
        )
