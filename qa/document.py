"""Documents: decoded text, paragraphs and sentences with exact code-point offsets."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import MutableMapping

_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
_TERMINAL_RE = re.compile(r"[.!?:;,…\"”’)\]]\s*$")
MAX_HEADLINE_WORDS = 12
# Segmentation results by block text, relative spans; the result cache provides one.
Segments = MutableMapping[str, list[tuple[int, int]]]


class DocumentError(Exception):
    """A file that could not be read or decoded; the message names the file and the place."""


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class Notice:
    """A problem that did not stop checking: broken markup, a decoding fallback, an unused suppression."""

    kind: str  # "markup", "encoding", "suppression" or "unused-suppression"
    message: str
    start: int | None = None  # code-point offset the notice is about, if any


@dataclass(frozen=True, slots=True)
class Block:
    """The prose of one Markdown/HTML block (paragraph, heading, list item, table cell, ...).

    ranges are the source characters kept as prose, in order. marks are inline markup
    inside the block that stands for something: (start, end, text it reads as), or
    (start, end, None) for a skipped item that takes a word's place (inline code, a URL).
    Everything else between ranges is markup read as a space if it holds whitespace.
    """

    ranges: tuple[tuple[int, int], ...]
    marks: tuple[tuple[int, int, str | None], ...] = ()

    @property
    def start(self) -> int:
        return min(self.ranges[0][0], self.marks[0][0]) if self.marks else self.ranges[0][0]

    @property
    def end(self) -> int:
        return max(self.ranges[-1][1], self.marks[-1][1]) if self.marks else self.ranges[-1][1]


@dataclass(frozen=True)
class Document:
    path: str
    text: str  # the whole original file: every offset points into it
    paragraphs: tuple[tuple[int, int], ...]
    sentences: tuple[Sentence, ...]
    kind: str = "text"  # "text", "markdown" or "html"
    blocks: tuple[Block, ...] = ()  # prose of markup documents; () for plain text
    comments: tuple[tuple[int, int, str], ...] = ()  # (start, end, body) of comments in the source
    notices: tuple[Notice, ...] = ()
    view: str = ""  # markup documents: text with all but prose blanked, same length

    def prose(self, start: int, end: int) -> str:
        """The prose in text[start:end] (for word counts): markup blanked out if any."""
        return (self.view or self.text)[start:end]

    def sentence_text(self, index: int) -> str:
        sentence = self.sentences[index]
        return self.text[sentence.start:sentence.end]

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence containing offset (or the nearest one before it)."""
        starts = [s.start for s in self.sentences]
        return max(bisect_right(starts, offset) - 1, 0)

    @property
    def words(self) -> int:
        return count_words(self.text)


def count_words(text: str) -> int:
    return len(_WORD_RE.findall(text))


def line_starts(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in re.finditer("\n", text)))


def locate(starts: tuple[int, ...], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a code-point offset, given line_starts()."""
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8 (BOM stripped); binary or invalid bytes raise DocumentError with the byte offset."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DocumentError(f"{path}: binary file (NUL byte at byte offset {nul})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(
            f"{path}: not valid UTF-8 at byte offset {error.start} ({error.reason})") from None
    return text.removeprefix("\ufeff")


def decode_mixed(data: bytes, path: str, fallback: str) -> tuple[str, tuple[Notice, ...]]:
    """UTF-8, with each invalid byte sequence decoded as `fallback` (e.g. cp1252) and a notice.

    For files that are UTF-8 but for a few bytes pasted from a legacy encoding. With no
    fallback, or for UTF-16 (BOM) and binary files, invalid bytes stay a DocumentError.
    """
    try:
        return decode(data, path), ()
    except DocumentError:
        if not fallback or data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
            raise
    parts: list[str] = []
    bad: list[tuple[int, int]] = []  # (byte offset, code-point offset) of each invalid sequence
    position = 0
    while True:
        try:
            parts.append(data[position:].decode("utf-8"))
            break
        except UnicodeDecodeError as error:
            good_end, bad_end = position + error.start, position + error.end
            parts.append(data[position:good_end].decode("utf-8"))
            bad.append((good_end, sum(map(len, parts))))
            parts.append(data[good_end:bad_end].decode(fallback, errors="replace"))
            position = bad_end
    raw = "".join(parts)
    text = raw.removeprefix("\ufeff")
    first_byte, first_char = bad[0][0], bad[0][1] - (len(raw) - len(text))
    line, column = locate(line_starts(text), first_char)
    notice = Notice("encoding", f"not valid UTF-8 at byte offset {first_byte} (line {line}, column "
                    f"{column}); {len(bad)} invalid byte sequence(s) read as {fallback}", first_char)
    return text, (notice,)


MARKUP_KINDS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def kind_for(path: str | Path) -> str:
    """Markup is chosen by file extension; anything else is plain text."""
    return MARKUP_KINDS.get(Path(path).suffix.lower(), "text")


def read_document(path: str | Path, fallback_encoding: str = "",
                  segments: Segments | None = None) -> Document:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DocumentError(f"{path}: cannot read file ({error.strerror or error})") from None
    text, notices = decode_mixed(data, str(path), fallback_encoding)
    kind = kind_for(path)
    if kind == "text":
        doc = parse(text, str(path), segments)
    else:
        from qa.markup import parse_markup  # markdown-it / selectolax only when needed

        doc = parse_markup(text, str(path), kind, segments)
    return replace(doc, notices=notices + doc.notices) if notices else doc


def parse(text: str, path: str = "<text>", segments: Segments | None = None) -> Document:
    """Plain text: paragraphs at blank lines; `# qa ...` suppression lines are not prose."""
    from qa.suppress import plain_directives

    comments = plain_directives(text)
    prose = blank(text, [(start, end) for start, end, _ in comments])
    paragraphs = split_paragraphs(prose)
    sentences: list[Sentence] = []
    for number, (start, end) in enumerate(paragraphs):
        for s_start, s_end in split_sentences(prose, start, end, segments):
            sentences.append(Sentence(len(sentences), s_start, s_end, number))
    return Document(path, text, tuple(paragraphs), tuple(sentences), comments=comments)


def blank(text: str, spans) -> str:
    """text with each (start, end) span replaced by spaces: same length, so offsets survive."""
    parts, position = [], 0
    for start, end in spans:
        parts += [text[position:start], " " * (end - start)]
        position = end
    return "".join(parts) + text[position:]


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraphs are separated by blank lines; offsets exclude surrounding whitespace."""
    spans, position = [], 0
    for separator in (*_BLANK_LINE_RE.finditer(text), None):
        end = separator.start() if separator else len(text)
        span = _strip(text, position, end)
        if span:
            spans.append(span)
        position = separator.end() if separator else len(text)
    return spans


def split_sentences(text: str, start: int, end: int,
                    segments: Segments | None = None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _split_headline(text, start, end):
        if segments is None:
            spans.extend(_segment(text, block_start, block_end))
            continue
        block = text[block_start:block_end]
        relative = segments.get(block)
        if relative is None:
            relative = [(s - block_start, e - block_start) for s, e in _segment(text, block_start, block_end)]
            segments[block] = relative
        spans.extend((block_start + s, block_start + e) for s, e in relative)
    return spans


def _split_headline(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A short first line without final punctuation, followed by more lines, is a headline."""
    newline = text.find("\n", start, end)
    if newline < 0:
        return [(start, end)]
    first = text[start:newline]
    rest = _strip(text, newline, end)
    if (rest and not _TERMINAL_RE.search(first) and count_words(first) <= MAX_HEADLINE_WORDS
            and (text[rest[0]].isupper() or text[rest[0]].isdigit() or text[rest[0]] in "\"“‘'")):
        return [_strip(text, start, newline), rest]
    return [(start, end)]


@cache
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end] from pysbd, re-anchored to exact offsets."""
    # Line breaks inside a paragraph are wrapping, not boundaries; same-length
    # replacement keeps offsets exact.
    chunk = text[start:end].replace("\r", " ").replace("\n", " ")
    try:
        pieces = _segmenter().segment(chunk)
    except Exception:  # pysbd has crashed on odd inputs; one sentence beats losing the paragraph
        pieces = [chunk]
    spans, cursor = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = chunk.find(piece, cursor)
        if found < 0:  # segmenter altered the text: keep the rest as one sentence
            break
        spans.append((start + found, start + found + len(piece)))
        cursor = found + len(piece)
    tail = _strip(text, start + cursor, end)
    if tail:
        spans.append(tail)
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
