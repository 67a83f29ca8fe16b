"""GR rules: LanguageTool matches mapped to qa rules, MQM categories and severities."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Collection, Iterable, Iterator

from qa.document import Document
from qa.engines.languagetool import LTMatch, chunk_spans, split_long
from qa.issue import Category, Issue, Severity
from qa.registry import Rule

SPELLING = Rule(
    "GR001", "grammar.spelling", Category.FLUENCY_SPELLING, Severity.MINOR, 0.8,
    "A word LanguageTool's spell checker does not know.",
    {"what": "LanguageTool's dictionary check (MORFOLOGIK/Hunspell rules) flagged a word.",
     "why": "Misspellings distract readers. Unknown proper names are flagged too, so a "
            "capitalised word gets a lower confidence (0.4).",
     "example": "The goverment said so.  ->  The government said so.",
     "fix": "Correct the word, or add names to a project vocabulary."})
AGREEMENT = Rule(
    "GR002", "grammar.agreement", Category.FLUENCY_GRAMMAR, Severity.MAJOR, 0.85,
    "Subject-verb, determiner-noun or pronoun agreement error.",
    {"what": "LanguageTool agreement rules (ids containing AGR, or described as agreement).",
     "why": "Agreement errors are a common trace of machine translation and read as careless.",
     "example": "He go to school.  ->  He goes to school.",
     "fix": "Make the verb, determiner or pronoun agree with its subject or noun."})
CONFUSION = Rule(
    "GR003", "grammar.confusion", Category.FLUENCY_GRAMMAR, Severity.MAJOR, 0.8,
    "A commonly confused word (its/it's, could of, then/than, ...).",
    {"what": "LanguageTool's confused-word and typo rules other than plain spelling.",
     "why": "The word exists, so spell checkers miss it, but it is the wrong word here.",
     "example": "Its a nice day.  ->  It's a nice day.",
     "fix": "Use the suggested word."})
PUNCTUATION = Rule(
    "GR004", "grammar.punctuation", Category.FLUENCY_PUNCTUATION, Severity.MINOR, 0.7,
    "Punctuation, typography or whitespace problem.",
    {"what": "LanguageTool PUNCTUATION and TYPOGRAPHY categories: unpaired quotes, commas, spacing.",
     "why": "Small, but a broken quote pair can change who is being quoted.",
     "example": "Results were good .  ->  Results were good.",
     "fix": "Apply the suggested punctuation."})
STYLE = Rule(
    "GR005", "grammar.style", Category.STYLE_AWKWARD, Severity.MINOR, 0.5,
    "Style: redundancy, wordiness, register.",
    {"what": "LanguageTool style, redundancy and plain-English rules.",
     "why": "Not wrong, but awkward; often a sign of literal translation.",
     "example": "in order to  ->  to",
     "fix": "Consider the suggestion; ignore GR005 if your house style differs."})
OTHER = Rule(
    "GR006", "grammar.other", Category.FLUENCY_GRAMMAR, Severity.MAJOR, 0.75,
    "Any other LanguageTool grammar match (word order, articles, repeated words, collocations).",
    {"what": "LanguageTool grammar matches that fit none of GR001-GR005.",
     "why": "Grammar errors make text harder to trust and to read.",
     "example": "This is is wrong.  ->  This is wrong.",
     "fix": "Apply the suggestion or rephrase."})

RULES = (SPELLING, AGREEMENT, CONFUSION, PUNCTUATION, STYLE, OTHER)

_SPELLING_PREFIXES = ("MORFOLOGIK_RULE", "HUNSPELL", "SPELLING_RULE")
_STYLE_CATEGORIES = {"STYLE", "REDUNDANCY", "PLAIN_ENGLISH", "REPETITIONS_STYLE", "COLLOQUIALISMS",
                     "WIKIPEDIA", "GENDER_NEUTRALITY", "CREATIVE_WRITING", "TEXT_ANALYSIS"}
_STYLE_TYPES = {"style", "register", "locale-violation"}
MAX_SUGGESTIONS = 5


def classify(match: LTMatch) -> Rule:
    """Map a LanguageTool match to a GR rule; the order of the tests matters."""
    if match.rule_id.startswith(_SPELLING_PREFIXES) or match.rule_id == "EN_CONTRACTION_SPELLING":
        return SPELLING
    text = f"{match.rule_id} {match.description} {match.short_message}".lower()
    if "agr" in match.rule_id.lower().split("_") or "agreement" in text:
        return AGREEMENT
    if match.category_id in {"CONFUSED_WORDS", "TYPOS"}:
        return CONFUSION
    if match.category_id in {"PUNCTUATION", "TYPOGRAPHY"} or match.issue_type in {"typographical", "whitespace"}:
        return PUNCTUATION
    if match.category_id in _STYLE_CATEGORIES or match.issue_type in _STYLE_TYPES:
        return STYLE
    return OTHER


def to_issue(match: LTMatch, doc: Document) -> Issue:
    rule = classify(match)
    flagged = doc.text[match.start:match.end]
    confidence = rule.confidence
    if rule is SPELLING and flagged[:1].isupper():
        confidence = 0.4  # most unknown capitalised words are names
    return rule.issue(
        confidence=confidence, start=match.start, end=match.end,
        sentence=doc.sentence_at(match.start), message=match.message,
        suggestions=match.replacements[:MAX_SUGGESTIONS],
        evidence={"lt_rule": match.rule_id, "lt_sub_id": match.sub_id,
                  "lt_category": match.category_id, "lt_issue_type": match.issue_type,
                  "lt_description": match.description})


class GrammarCheck:
    family = "grammar"
    context = None  # LanguageTool sees whole paragraphs, so a sentence's matches depend on its paragraph

    def __init__(self, config, engines) -> None:
        self.engines = engines  # the server starts on the first check, not before: cache hits need none
        self.vocabulary = engines.vocabulary
        self.chunk_chars = int(config.section("languagetool")["chunk_chars"])

    def cache_key(self) -> str:
        return self.engines.languagetool_identity()

    def check(self, doc: Document, progress=None,
              sentences: Collection[int] | None = None) -> Iterator[Issue]:
        paragraphs = None if sentences is None else {doc.sentences[i].paragraph for i in sentences}
        spans = request_spans(doc, self.chunk_chars, paragraphs)
        if not spans:
            return
        # Markup goes to LanguageTool as its markup-aware `data` annotation rather than as
        # blanked-out text: blanking leaves runs of spaces (flagged), glues table cells and
        # headings to the next block, and cannot say that &amp; reads as "&".
        annotate = (lambda start, end: annotation(doc, start, end)) if doc.blocks else None
        prose = ProseIndex(doc)
        for match in self.engines.languagetool.check_spans(doc.text, spans, progress, annotate):
            if not prose.holds(match.start, match.end):
                continue
            issue = to_issue(match, doc)
            if issue.rule == SPELLING.code and self.vocabulary.accepts(doc.text[issue.start:issue.end]):
                continue
            yield issue


CHECK = GrammarCheck


def request_spans(doc: Document, limit: int,
                  paragraphs: Collection[int] | None = None) -> list[tuple[int, int]]:
    """Whole paragraphs (all, or those indexed) packed up to limit characters; longer
    paragraphs split at sentences. Only consecutive paragraphs share a request."""
    spans = []
    selected = range(len(doc.paragraphs)) if paragraphs is None else sorted(paragraphs)
    for run in _runs(selected):
        for start, end in chunk_spans([doc.paragraphs[i] for i in run], limit):
            if end - start <= limit:
                spans.append((start, end))
                continue
            sentences = [(s.start, s.end) for s in doc.sentences if start <= s.start < end]
            for s_start, s_end in chunk_spans(sentences, limit):
                spans.extend(split_long(doc.text, s_start, s_end, limit))
    return spans


def annotation(doc: Document, start: int, end: int) -> list[dict[str, str]]:
    """LanguageTool `data` items for doc.text[start:end]: prose is text, the rest is markup.

    Between blocks markup reads as a paragraph break, so no sentence runs across blocks;
    a skipped word (code, URL) reads as a unique dummy word; entities read as their text.
    """
    items: list[dict[str, str]] = []
    position, dummies = start, 0
    for block in doc.blocks:
        if block.end <= start or block.start >= end:
            continue
        pieces = sorted([(s, e, None, True) for s, e in block.ranges]
                        + [(s, e, reads, False) for s, e, reads in block.marks])
        first = True
        for piece_start, piece_end, reads, is_text in pieces:
            piece_start, piece_end = max(piece_start, start), min(piece_end, end)
            if piece_start >= piece_end:
                continue
            if position < piece_start:
                gap = doc.text[position:piece_start]
                items.append(_markup(gap, "\n\n" if first and items else gap_reads_as(gap)))
            first = False
            if is_text:
                items.append({"text": doc.text[piece_start:piece_end]})
            else:
                if reads is None:
                    reads, dummies = f"Dummy{dummies}", dummies + 1
                items.append(_markup(doc.text[piece_start:piece_end], reads))
            position = piece_end
    if position < end:
        items.append(_markup(doc.text[position:end], ""))
    return items


def _markup(source: str, reads_as: str) -> dict[str, str]:
    return {"markup": source, "interpretAs": reads_as} if reads_as else {"markup": source}


_TAG_RE = re.compile(r"<[^>]*>")
_BREAK_RE = re.compile(r"<br\b[^>]*>", re.IGNORECASE)


def gap_reads_as(gap: str) -> str:
    """Inline markup between prose pieces reads as a space if it holds a line break or space
    outside tags (a soft break, <br>), else as nothing (`**`, `<em>`, `[`)."""
    visible = _TAG_RE.sub("", _BREAK_RE.sub(" ", gap))
    return " " if any(c.isspace() for c in visible) else ""


class ProseIndex:
    """Where a match may be reported: inside prose, and not on or just before a skipped word.

    LanguageTool reads a skipped word as a dummy; judging the words right before it
    (a/an, agreement) would judge the dummy, so those matches are dropped too.
    """

    AHEAD = 2

    def __init__(self, doc: Document) -> None:
        if doc.blocks:
            spans = [r for b in doc.blocks for r in b.ranges]
            spans += [(s, e) for b in doc.blocks for s, e, reads in b.marks if reads is not None]
            self.opaque = sorted((s, e) for b in doc.blocks for s, e, reads in b.marks if reads is None)
        else:
            spans, self.opaque = list(doc.paragraphs), []
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.opaque_starts = [s for s, _ in self.opaque]

    def holds(self, start: int, end: int) -> bool:
        n = bisect_right(self.starts, start) - 1
        if n < 0 or start >= self.spans[n][1]:
            return False
        k = bisect_right(self.opaque_starts, end + self.AHEAD - 1) - 1
        return k < 0 or self.opaque[k][1] <= start


def _runs(indices: Iterable[int]) -> Iterator[list[int]]:
    """Split ascending indices into runs of consecutive ones."""
    run: list[int] = []
    for index in indices:
        if run and index != run[-1] + 1:
            yield run
            run = []
        run.append(index)
    if run:
        yield run
