"""Markup-aware prose extraction: which characters of a Markdown or HTML file are prose.

An extractor returns blocks of prose (qa.document.Block: source ranges kept, plus
inline marks), the comments found (for suppressions) and notices about broken
input. Every offset is into the original file text; nothing is ever re-serialised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.document import Block, Document, Notice, Segments, Sentence, split_sentences

# Bare URLs and e-mail addresses inside prose are skipped like inline code.
_URL_RE = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"'`]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL_TRAILING = ".,;:!?)]}'\"’”"
MAX_NOTICES = 5  # per kind of problem; the rest are counted in the last one


@dataclass(frozen=True)
class Extraction:
    blocks: tuple[Block, ...]
    comments: tuple[tuple[int, int, str], ...]  # (start, end, body) of each comment
    notices: tuple[Notice, ...]


def extract(text: str, kind: str) -> Extraction:
    if kind == "markdown":
        from qa.markup.markdown import extract_markdown

        return extract_markdown(text)
    if kind == "html":
        from qa.markup.html import extract_html

        return extract_html(text)
    raise ValueError(f"unknown markup kind {kind!r}")


class BlockBuilder:
    """Collects the pieces of one block in source order and emits a Block."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ranges: list[tuple[int, int]] = []
        self.marks: list[tuple[int, int, str | None]] = []

    def keep(self, start: int, end: int) -> None:
        if start >= end:
            return
        if self.ranges and self.ranges[-1][1] == start:
            start = self.ranges.pop()[0]
        self.ranges.append((start, end))

    def mark(self, start: int, end: int, reads_as: str | None) -> None:
        if start < end:
            self.marks.append((start, end, reads_as))

    def build(self) -> Block | None:
        """The block, with bare URLs moved from prose to skipped marks; None if no prose is left."""
        ranges, marks = [], list(self.marks)
        for start, end in self.ranges:
            for match in _URL_RE.finditer(self.text, start, end):
                url_end = match.end()
                while url_end > match.start() and self.text[url_end - 1] in _URL_TRAILING:
                    url_end -= 1
                if start < match.start():
                    ranges.append((start, match.start()))
                marks.append((match.start(), url_end, None))
                start = url_end
            if start < end:
                ranges.append((start, end))
        while ranges and self.text[ranges[0][0]:ranges[0][1]].isspace():
            ranges.pop(0)
        while ranges and self.text[ranges[-1][0]:ranges[-1][1]].isspace():
            ranges.pop()
        self.ranges, self.marks = [], []
        if not ranges:
            return None
        start, end = ranges[0]
        ranges[0] = (end - len(self.text[start:end].lstrip()), end)
        start, end = ranges[-1]
        ranges[-1] = (start, start + len(self.text[start:end].rstrip()))
        # Collapsed whitespace at the edges is not part of the block.
        marks = [m for m in marks if not (m[2] == " " and (m[1] <= ranges[0][0] or m[0] >= ranges[-1][1]))]
        return Block(tuple(ranges), tuple(sorted(marks)))


class NoticeLog:
    """Notices of one kind, capped so a badly broken file does not drown the report."""

    def __init__(self, kind: str = "markup") -> None:
        self.kind = kind
        self.items: list[Notice] = []
        self.dropped = 0

    def add(self, message: str, start: int | None = None) -> None:
        if len(self.items) < MAX_NOTICES:
            self.items.append(Notice(self.kind, message, start))
        else:
            self.dropped += 1

    def notices(self) -> tuple[Notice, ...]:
        more = (Notice(self.kind, f"{self.dropped} more markup problems not shown"),) if self.dropped else ()
        return (*self.items, *more)


def parse_markup(text: str, path: str, kind: str, segments: Segments | None = None) -> Document:
    """Markdown or HTML: sentences are segmented inside each prose block, never across blocks."""
    extraction = extract(text, kind)
    view = prose_view(text, extraction.blocks)
    sentences: list[Sentence] = []
    for number, block in enumerate(extraction.blocks):
        for start, end in split_sentences(view, block.start, block.end, segments):
            sentences.append(Sentence(len(sentences), start, end, number))
    return Document(path, text, tuple((b.start, b.end) for b in extraction.blocks), tuple(sentences),
                    kind, extraction.blocks, extraction.comments, extraction.notices, view)


def prose_view(text: str, blocks: tuple[Block, ...]) -> str:
    """text with everything but prose blanked (same length): segmenting it gives source offsets.

    Skipped words (code, URLs) become x's so they stay words without adding a full stop, and
    line breaks become spaces because inside a block they are only wrapping.
    """
    view = [" "] * len(text)
    for block in blocks:
        for start, end in block.ranges:
            view[start:end] = text[start:end].translate(_FLATTEN)
        for start, end, reads_as in block.marks:
            fill = "x" * (end - start) if reads_as is None else reads_as.translate(_FLATTEN)
            view[start:end] = (fill + " " * (end - start))[:end - start]
    return "".join(view)


_FLATTEN = str.maketrans("\n\r\t\f\v", "     ")


def line_offsets(text: str) -> list[int]:
    """Offset of the start of each line, plus len(text) as a sentinel (for token line maps)."""
    return [0, *(m.end() for m in re.finditer("\n", text)), len(text)]
