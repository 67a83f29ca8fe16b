"""TE rules: project terminology from the vocabulary's rejected terms ([terms] and `reject`)."""

from __future__ import annotations

import re
from typing import Iterator

from qa.document import Document
from qa.issue import Category, Issue, Severity
from qa.registry import Rule

REJECTED = Rule(
    "TE001", "terminology.rejected_term", Category.TERMINOLOGY_WRONG_TERM, Severity.MAJOR, 0.95,
    "A term the project has rejected, with its preferred form.",
    {"what": "A word or phrase listed in [terms] or in the `reject` file of the configuration, "
             "matched as a whole word in prose (never in code, URLs or front matter).",
     "why": "Consistent terminology is part of translation quality: a product, a party or an "
            "office should have one name throughout, the one the project chose.",
     "example": 'With [terms] "e-mail" = "email":  Send an e-mail.  ->  Send an email.',
     "fix": "Use the preferred term, or remove the entry if it is no longer wrong."})

RULES = (REJECTED,)


def term_pattern(term: str) -> re.Pattern:
    """Whole-word match; an all-lowercase term matches in any case, others exactly."""
    flags = re.IGNORECASE if term == term.lower() else 0
    body = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", flags)


def match_case(found: str, preferred: str) -> str:
    if found.isupper() and len(found) > 1:
        return preferred.upper()
    if found[:1].isupper() and preferred[:1].islower():
        return preferred[:1].upper() + preferred[1:]
    return preferred


def prose_ranges(doc: Document) -> list[tuple[int, int]]:
    """Where prose is: block ranges for Markdown/HTML, paragraphs for plain text."""
    if doc.blocks:
        return [r for block in doc.blocks for r in block.ranges]
    return list(doc.paragraphs)


class TerminologyCheck:
    family = "terminology"

    def __init__(self, config, engines) -> None:
        rejected = engines.vocabulary.rejected
        self.terms = [(wrong, preferred, term_pattern(wrong)) for wrong, preferred in rejected.items()]

    def check(self, doc: Document, progress=None) -> Iterator[Issue]:
        for start, end in prose_ranges(doc) if self.terms else ():
            for wrong, preferred, pattern in self.terms:
                for match in pattern.finditer(doc.text, start, end):
                    found = match.group()
                    suggestion = match_case(found, preferred) if preferred else ""
                    if found == suggestion:  # "ministry of defence" -> "Ministry of Defence"
                        continue
                    yield REJECTED.issue(
                        start=match.start(), end=match.end(), sentence=doc.sentence_at(match.start()),
                        message=(f"Use '{suggestion}' instead of '{found}'" if preferred
                                 else f"'{found}' is a rejected term in this project"),
                        suggestions=(suggestion,) if preferred else (), evidence={"term": wrong})
        if progress:
            progress(len(doc.text))


CHECK = TerminologyCheck
