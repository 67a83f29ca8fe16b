"""HTML prose through selectolax's lexbor backend, an HTML5-conformant parser.

Why lexbor rather than lxml: lexbor builds the tree a browser builds from broken
markup (implied end tags, misnested formatting, stray text in tables), so we check
what readers see; libxml2's HTML parser predates the HTML5 parsing rules and
re-nests or drops broken content differently. It is also one small wheel.

Neither parser reports source positions, so a small scanner splits the source into
tags, comments, raw text and text, decoding entities into a stream whose every
character knows its source span. Each text node of the tree is then found, in
order, in that stream. Kept: text of blocks (p, headings, li, td, ...), title, img
alt. Skipped: comments, script/style/pre/textarea/template/svg/math, and inline
code/kbd/samp/var (read as a placeholder word).
"""

from __future__ import annotations

import html
import re
from html.entities import html5

from qa.markup import BlockBuilder, Extraction, NoticeLog

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li main nav ol option p "
    "section summary table tbody td tfoot th thead title tr ul".split())
SKIP_BLOCK = frozenset(
    "script style pre textarea template noscript svg math iframe object xmp plaintext listing "
    "noembed noframes select".split())
SKIP_INLINE = frozenset("code kbd samp var".split())
RAW_TEXT = frozenset("script style xmp iframe noembed noframes noscript plaintext".split())
ESCAPABLE_RAW_TEXT = frozenset(("title", "textarea"))
VOID = frozenset("area base br col embed hr img input link meta param source track wbr keygen".split())
OPTIONAL_END = frozenset(
    "html head body p li dt dd option optgroup rb rt rtc rp tr td th thead tbody tfoot colgroup "
    "caption".split())

_TOKEN_RE = re.compile(r"""
    <!--(?P<comment>.*?)(?P<comment_end>--!?>|\Z)
  | <!\[CDATA\[.*?(?:\]\]>|\Z)
  | <[!?][^>]*(?:>|\Z)
  | </?(?P<name>[A-Za-z][^\s/>]*)(?:[^>"']|"[^"]*(?:"|\Z)|'[^']*(?:'|\Z))*(?P<tag_end>>|\Z)
""", re.S | re.X)
_ENTITY_RE = re.compile(r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_ALT_RE = re.compile(r"""\salt\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""", re.I)
_WHITESPACE_RUN_RE = re.compile(r"\s{2,}")


def extract_html(text: str, start: int = 0, end: int | None = None,
                 check_nesting: bool = True) -> Extraction:
    """Prose blocks of text[start:end] (the whole text by default).

    check_nesting=False for fragments (Markdown HTML blocks), where an element may
    open in one fragment and close in another.
    """
    from selectolax.lexbor import LexborHTMLParser

    end = len(text) if end is None else end
    notices = NoticeLog()
    scan = _Scanner(text, notices, check_nesting)
    scan.run(start, end)
    walker = _Walker(text, scan, notices)
    walker.walk(LexborHTMLParser(text[start:end]).root)
    return Extraction(tuple(walker.blocks), tuple(scan.comments), notices.notices())


class _Stream:
    """Decoded characters of some source text, each with the source span it came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.reads: list[str | None] = []  # None: the source character itself; else an entity's text

    def add(self, start: int, end: int, decode: bool) -> None:
        text, i = self.text, start
        while i < end:
            c = text[i]
            if c == "\r":  # the parser reads CRLF and CR as LF
                stop = i + 2 if i + 1 < end and text[i + 1] == "\n" else i + 1
                self._unit("\n", i, stop, None)
                i = stop
                continue
            if decode and c == "&" and (match := _ENTITY_RE.match(text, i, end)):
                entity = _entity(match.group())
                if entity:
                    length, decoded = entity
                    self._unit(decoded[0], i, i + length, decoded)
                    for extra in decoded[1:]:
                        self._unit(extra, i + length, i + length, "")
                    i += length
                    continue
            self._unit(c, i, i + 1, None)
            i += 1

    def _unit(self, char: str, start: int, end: int, reads: str | None) -> None:
        self.chars.append(char)
        self.starts.append(start)
        self.ends.append(end)
        self.reads.append(reads)

    def pieces(self, a: int, b: int, builder: BlockBuilder) -> None:
        """Add stream characters [a, b) to builder: kept text, entities, collapsed whitespace."""
        joined = "".join(self.chars[a:b])
        position = a
        for run in _WHITESPACE_RUN_RE.finditer(joined):
            self._plain(position, a + run.start(), builder)
            builder.mark(self.starts[a + run.start()], self.ends[a + run.end() - 1], " ")
            position = a + run.end()
        self._plain(position, b, builder)

    def _plain(self, a: int, b: int, builder: BlockBuilder) -> None:
        for i in range(a, b):
            if self.reads[i] is None:
                builder.keep(self.starts[i], self.ends[i])
            elif self.ends[i] > self.starts[i]:
                builder.mark(self.starts[i], self.ends[i], self.reads[i])


def _entity(reference: str) -> tuple[int, str] | None:
    """(length, decoded) of the character reference at the start of reference, as HTML5 reads it."""
    if reference[1] == "#":
        decoded = html.unescape(reference)
        return (len(reference), decoded) if decoded != reference else None
    name = reference[1:]
    if name in html5:
        return len(reference), html5[name]
    for length in range(len(name) - 1, 1, -1):  # legacy names without ";" (&copy2024)
        if name[:length] in html5:
            return length + 1, html5[name[:length]]
    return None


class _Scanner:
    """Splits the source into text, tags and comments; builds the text stream; checks nesting."""

    def __init__(self, text: str, notices: NoticeLog, check_nesting: bool = True) -> None:
        self.text = text
        self.check_nesting = check_nesting
        self.stream = _Stream(text)
        self.notices = notices
        self.comments: list[tuple[int, int, str]] = []
        self.images: list[tuple[int, int]] = []  # source span of each <img alt="..."> value
        self.open: list[tuple[str, int]] = []  # elements whose end tag is required

    def run(self, start: int, end: int) -> None:
        position = start
        while position < end:
            match = _TOKEN_RE.search(self.text, position, end)
            if match is None:
                self.stream.add(position, end, decode=True)
                break
            self.stream.add(position, match.start(), decode=True)
            position = self.token(match, end)
        for name, opened in self.open if self.check_nesting else ():
            self.notices.add(f"<{name}> is never closed", opened)

    def token(self, match: re.Match, end: int) -> int:
        if match.group("comment") is not None:
            if not match.group("comment_end"):
                self.notices.add("comment is never closed; the rest of the file was skipped", match.start())
            self.comments.append((match.start(), match.end(), match.group("comment")))
            return match.end()
        name = (match.group("name") or "").lower()
        if not name:
            return match.end()
        if not match.group("tag_end"):
            self.notices.add(f"tag <{name}> is never closed with '>'", match.start())
        if self.text[match.start() + 1] == "/":
            if self.check_nesting:
                self.end_tag(name, match.start())
            return match.end()
        if name == "img" and (alt := _ALT_RE.search(self.text, match.start(), match.end())):
            group = next(g for g in ("dq", "sq", "bare") if alt.group(g) is not None)
            self.images.append(alt.span(group))
        self_closing = self.text[match.start():match.end()].endswith("/>")
        if name not in VOID and name not in OPTIONAL_END and not self_closing:
            self.open.append((name, match.start()))
        if name in RAW_TEXT or name in ESCAPABLE_RAW_TEXT:
            closing = re.compile(rf"</{re.escape(name)}[\s/>]", re.I).search(self.text, match.end(), end)
            content_end = closing.start() if closing else end
            if closing is None:
                self.notices.add(f"<{name}> is never closed; the rest of the file was read as its content",
                                 match.start())
            self.stream.add(match.end(), content_end, decode=name in ESCAPABLE_RAW_TEXT)
            return content_end
        return match.end()

    def end_tag(self, name: str, position: int) -> None:
        names = [open_name for open_name, _ in self.open]
        if name not in names:
            if name not in OPTIONAL_END and name not in VOID:
                self.notices.add(f"stray end tag </{name}>", position)
            return
        while self.open:
            open_name, opened = self.open.pop()
            if open_name == name:
                return
            self.notices.add(f"<{open_name}> is not closed before </{name}>", opened)


class _Walker:
    """Walks the lexbor tree in document order and groups text nodes into blocks."""

    def __init__(self, text: str, scan: _Scanner, notices: NoticeLog) -> None:
        self.text = text
        self.scan = scan
        self.stream = scan.stream
        self.decoded = "".join(scan.stream.chars)
        self.pointer = 0
        self.images = list(reversed(scan.images))
        self.notices = notices
        self.builder = BlockBuilder(text)
        self.key = None
        self.blocks = []

    def walk(self, root) -> None:
        for node in root.traverse(include_text=True):
            if node.is_text_node:
                self.text_node(node)
            elif node.is_element_node:
                if node.tag in BLOCK_TAGS or node.tag in SKIP_BLOCK:
                    self.boundary()
                elif node.tag == "img" and (node.attributes.get("alt") or "").strip():
                    self.image(node)
        self.boundary()

    def boundary(self) -> None:
        block = self.builder.build()
        if block is not None:
            self.blocks.append(block)

    def enter(self, node) -> str:
        """'prose', 'opaque' or 'skip' for a node; starts a new block when its block changes."""
        mode, key, parent = "prose", None, node.parent
        while parent is not None:
            tag = parent.tag
            if tag in SKIP_BLOCK:
                return "skip"
            if tag in SKIP_INLINE:
                mode = "opaque"
            if tag in BLOCK_TAGS:
                key = parent.mem_id
                break
            parent = parent.parent
        if key != self.key:
            self.boundary()
            self.key = key
        return mode

    def text_node(self, node) -> None:
        content = node.text_content
        if not content or content.isspace():
            return
        found = self.decoded.find(content, self.pointer)
        if found < 0:
            self.notices.add(f"could not find {content[:40]!r} in the source; it was not checked")
            return
        self.pointer = found + len(content)
        mode = self.enter(node)
        if mode == "prose":
            self.stream.pieces(found, found + len(content), self.builder)
        elif mode == "opaque":
            self.builder.mark(self.stream.starts[found], self.stream.ends[found + len(content) - 1], None)

    def image(self, node) -> None:
        alt = node.attributes["alt"]
        while self.images:
            start, end = self.images.pop()
            value = _Stream(self.text)
            value.add(start, end, decode=True)
            if "".join(value.chars) == alt:
                if self.enter(node) == "prose":
                    value.pieces(0, len(value.chars), self.builder)
                return
        self.notices.add(f"could not find the alt text {alt[:40]!r} in the source; it was not checked")
