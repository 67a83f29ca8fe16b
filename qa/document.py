"""Documents: decoded text, paragraphs and sentences with exact code-point offsets."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
_TERMINAL_RE = re.compile(r"[.!?:;,…\"”’)\]]\s*$")
MAX_HEADLINE_WORDS = 12


class DocumentError(Exception):
    """A file that could not be read or decoded; the message names the file and the place."""


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class Document:
    path: str
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    sentences: tuple[Sentence, ...]

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


def read_document(path: str | Path) -> Document:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DocumentError(f"{path}: cannot read file ({error.strerror or error})") from None
    return parse(decode(data, str(path)), str(path))


def parse(text: str, path: str = "<text>") -> Document:
    paragraphs = split_paragraphs(text)
    sentences: list[Sentence] = []
    for number, (start, end) in enumerate(paragraphs):
        for s_start, s_end in split_sentences(text, start, end):
            sentences.append(Sentence(len(sentences), s_start, s_end, number))
    return Document(path, text, tuple(paragraphs), tuple(sentences))


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


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _split_headline(text, start, end):
        spans.extend(_segment(text, block_start, block_end))
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
