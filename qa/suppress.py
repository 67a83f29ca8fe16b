"""Fingerprints that identify a finding independently of where it sits in the file."""

from __future__ import annotations

import hashlib
import unicodedata


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fingerprint(rule: str, sentence_text: str, span_text: str) -> str:
    """Stable across edits elsewhere in the file and lines moving: rule + normalised sentence + span."""
    key = "\x1f".join((rule, normalize(sentence_text), normalize(span_text)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
