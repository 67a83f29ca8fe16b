"""Markdown prose through markdown-it-py: CommonMark plus tables and strikethrough.

markdown-it gives each block's line range (token.map) and the inline tokens with
unescaped text but no columns, so each text token is found in the source from a
cursor that only moves forward; backslash escapes are markup and entities are
marks that read as the character they stand for. Kept: paragraphs, headings,
list items, block quotes, table cells, link text, image alt text. Skipped: front
matter, code blocks, inline code, autolinks, link destinations, raw HTML tags
(prose inside top-level HTML blocks goes through the HTML extractor).
"""

from __future__ import annotations

import html
import re
import string
from functools import cache

from qa.markup import BlockBuilder, Extraction, NoticeLog, line_offsets

_FRONT_MATTER_RE = re.compile(r"\A(---|\+\+\+)[ \t]*\n(?:.*?\n)?\1[ \t]*(?:\n|\Z)", re.S)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
_BACKTICKS_RE = re.compile(r"(?<!\\)`+")
_PUNCTUATION = frozenset(string.punctuation)


@cache
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def extract_markdown(text: str) -> Extraction:
    # markdown-it rewrites CRLF to LF, which would shift offsets; same-length stand-ins do not.
    source = text.replace("\r\n", " \n").replace("\r", "\n")
    notices = NoticeLog()
    front = _FRONT_MATTER_RE.match(source)
    if front:  # blank it but keep its line breaks, so token line numbers stay right
        source = re.sub(r"[^\n]", " ", front.group()) + source[front.end():]
    elif re.match(r"(---|\+\+\+)[ \t]*\n", source) and re.match(r"[^\n]*\n[\w-]+[ \t]*[:=]", source):
        notices.add("front matter opened on line 1 is never closed; it was read as Markdown", 0)
    walker = _Walker(source, notices)
    walker.walk(_parser().parse(source))
    return Extraction(tuple(walker.blocks), tuple(walker.comments), notices.notices())


class _Walker:
    def __init__(self, source: str, notices: NoticeLog) -> None:
        self.src = source
        self.lines = line_offsets(source)
        self.cursor = 0
        self.builder = BlockBuilder(source)
        self.blocks = []
        self.comments: list[tuple[int, int, str]] = []
        self.notices = notices

    def region(self, token) -> tuple[int, int]:
        if not token.map:
            return self.cursor, len(self.src)
        last = len(self.lines) - 1
        return self.lines[min(token.map[0], last)], self.lines[min(token.map[1], last)]

    def walk(self, tokens) -> None:
        for token in tokens:
            if token.type == "inline":
                start, end = self.region(token)
                self.cursor = max(self.cursor, start)
                self.inline(token.children or [], end)
                block = self.builder.build()
                if block is not None:
                    self.blocks.append(block)
            elif token.type in ("fence", "code_block", "html_block"):
                start, end = self.region(token)
                if token.type == "fence":
                    self.check_fence(token, start, end)
                elif token.type == "html_block":
                    self.html_block(token, start, end)
                self.cursor = max(self.cursor, end)

    def check_fence(self, token, start: int, end: int) -> None:
        closing = self.src[self.lines[max(token.map[1] - 1, 0)]:end].strip()
        marker = token.markup[0]
        if token.map[1] - token.map[0] < 2 or len(closing) < len(token.markup) or closing.strip(marker):
            line = token.map[0] + 1
            self.notices.add(f"code fence opened on line {line} is never closed; "
                             "the rest of its container was read as code", start)

    def html_block(self, token, start: int, end: int) -> None:
        if token.level == 0:  # a top-level HTML block is plain HTML: check the prose in it
            from qa.markup.html import extract_html

            found = extract_html(self.src, start, end, check_nesting=False)
            self.blocks.extend(found.blocks)
            self.comments.extend(found.comments)
            for notice in found.notices:
                self.notices.add(notice.message, notice.start)
            return
        for match in _COMMENT_RE.finditer(self.src, start, end):
            self.comments.append((match.start(), match.end(), match.group(1)))

    def inline(self, children, limit: int) -> None:
        in_autolink = False
        for child in children:
            kind = child.type
            if in_autolink:
                in_autolink = kind != "link_close"
            elif kind == "text":
                self.text(child.content, limit)
            elif kind == "code_inline":
                self.code(limit)
            elif kind == "link_open" and child.markup == "autolink":
                self.autolink(limit)
                in_autolink = True
            elif kind == "link_close":
                self.link_tail(limit)
            elif kind == "image":
                self.inline(child.children or [], limit)
                self.link_tail(limit)
            elif kind == "html_inline":
                self.html_inline(child.content, limit)

    def text(self, content: str, limit: int) -> None:
        if not content:
            return
        pieces = align(self.src, content, self.cursor, limit)
        if pieces is None:
            self.notices.add(f"could not find {content[:40]!r} in the source; it was not checked",
                             self.cursor)
            return
        for start, end, reads_as in pieces:
            if reads_as is None:
                self.builder.keep(start, end)
            else:
                self.builder.mark(start, end, reads_as)
        self.cursor = pieces[-1][1]

    def code(self, limit: int) -> None:
        opening = _BACKTICKS_RE.search(self.src, self.cursor, limit)
        if opening is None:
            return
        fence = re.compile(rf"(?<!`){opening.group()}(?!`)")
        closing = fence.search(self.src, opening.end(), limit)
        end = closing.end() if closing else opening.end()
        self.builder.mark(opening.start(), end, None)
        self.cursor = end

    def autolink(self, limit: int) -> None:
        start = self.src.find("<", self.cursor, limit)
        end = self.src.find(">", start, limit) if start >= 0 else -1
        if end >= 0:
            self.builder.mark(start, end + 1, None)
            self.cursor = end + 1

    def link_tail(self, limit: int) -> None:
        """Step over `](destination "title")`, `][label]` or `]` after link text or alt text."""
        close = self.src.find("]", self.cursor, limit)
        if close < 0:
            return
        end = close + 1
        if self.src.startswith("(", end):
            end = _skip_parenthesised(self.src, end, limit)
        elif self.src.startswith("[", end):
            label_end = self.src.find("]", end, limit)
            end = label_end + 1 if label_end >= 0 else end
        self.builder.mark(close, end, "")
        self.cursor = end

    def html_inline(self, content: str, limit: int) -> None:
        start = self.src.find(content, self.cursor, limit)
        if start < 0:
            return
        if content.startswith("<!--"):
            self.comments.append((start, start + len(content), content[4:].removesuffix("-->")))
        self.cursor = start + len(content)


def _skip_parenthesised(src: str, start: int, limit: int) -> int:
    """End of the `(...)` starting at src[start]: nested parentheses, escapes and quoted titles."""
    depth, quote, i = 0, None, start
    while i < limit:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'" and src[i - 1].isspace():
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return start


def align(src: str, target: str, start: int, limit: int) -> list[tuple[int, int, str | None]] | None:
    """Where target (unescaped, entity-decoded text) sits in src[start:limit], as pieces.

    Pieces are (start, end, None) for source text kept as is and (start, end, decoded)
    for an entity; escape backslashes fall between pieces. None if it is not there.
    """
    first = target[0]
    for position in range(start, limit):
        if src[position] in (first, "\\", "&"):
            pieces = _match_at(src, target, position, limit)
            if pieces is not None:
                return pieces
    return None


def _match_at(src: str, target: str, position: int, limit: int):
    pieces: list[tuple[int, int, str | None]] = []
    run = p = position
    i = 0
    while i < len(target):
        if p >= limit:
            return None
        c = src[p]
        if c == "&" and (entity := _ENTITY_RE.match(src, p, limit)):
            decoded = html.unescape(entity.group())
            if target.startswith(decoded, i):
                pieces += [(run, p, None)] if run < p else []
                pieces.append((p, entity.end(), decoded))
                p = run = entity.end()
                i += len(decoded)
                continue
        if c == "\\" and p + 1 < limit and src[p + 1] in _PUNCTUATION and src[p + 1] == target[i]:
            pieces += [(run, p, None)] if run < p else []
            p = run = p + 1
        if src[p] != target[i]:
            return None
        p += 1
        i += 1
    if run < p:
        pieces.append((run, p, None))
    return pieces
