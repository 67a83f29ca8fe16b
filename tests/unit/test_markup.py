"""Extractors: every kept range and mark points at the right source characters."""

import html
import re
from pathlib import Path

import pytest

from qa.checks.grammar import ProseIndex, annotation, gap_reads_as
from qa.markup import extract, parse_markup
from qa.markup.markdown import align

FIXTURES = Path(__file__).parents[1] / "fixtures" / "markup"


def reading(text, block):
    """What a reader sees of a block: prose, marks as they read ("•" for a skipped word)."""
    pieces = sorted([(s, e, text[s:e]) for s, e in block.ranges]
                    + [(s, e, "•" if r is None else r) for s, e, r in block.marks])
    out, position = "", block.start
    for start, end, shown in pieces:
        out += gap_reads_as(text[position:start]) + shown
        position = end
    return " ".join(out.split())


def readings(text, kind):
    return [reading(text, b) for b in extract(text, kind).blocks]


def test_markdown_blocks_keep_prose_and_skip_code_urls_and_front_matter():
    text = ("---\ntitle: Teh page\n---\n\n# A *bold* title\n\nRun `make test` and see [the docs](http://x.org/a_(b) \"T\")"
            " or <https://auto.link>, then https://bare.example.com/x.\nNext line &amp; \\*stars\\*.\n\n"
            "```sh\ncode here\n```\n\n    indented code\n\n| A | B \\| C |\n|---|---|\n| one | two |\n\n"
            "- item ![alt *text*](i.png)\n  > quoted\n\n<!-- a comment -->\n<div><p>Raw <em>html</em></p></div>\n")
    assert readings(text, "markdown") == [
        "A bold title",
        "Run • and see the docs or •, then •. Next line & *stars*.",
        "A", "B | C", "one", "two",
        "item alt text", "quoted", "Raw html"]
    extraction = extract(text, "markdown")
    assert [text[s:e] for s, e, _ in extraction.comments] == ["<!-- a comment -->"]
    assert extraction.notices == ()


def test_every_markdown_range_is_the_source_text_markdown_it_saw():
    from markdown_it import MarkdownIt

    text = (FIXTURES / "install-guide.md").read_text()
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    def texts(children):
        for child in children or ():
            yield from texts(child.children)
            if child.type == "text":
                yield child.content

    words = {w for t in tokens if t.type == "inline" for c in texts(t.children) for w in re.findall(r"\w+", c)}
    for block in extract(text, "markdown").blocks:
        for start, end in block.ranges:
            assert start < end and not any(ch in text[start:end] for ch in "`[]\n")
            assert set(re.findall(r"\w+", text[start:end])) <= words
        for start, end, reads in block.marks:
            if reads not in (None, ""):
                assert html.unescape(text[start:end]) == reads


def test_html_blocks_collapse_whitespace_decode_entities_and_skip_code():
    text = ("<html><head><title>A &amp; B</title><style>p{}</style><script>x<y</script></head><body>\n"
            "<h1>Big   news</h1><p>He said\n   don&rsquo;t <code>rm -rf</code>, <a href='u' title='x y'>see</a>"
            "<br>more.</p><!-- note --><pre>teh code</pre>\n<ul><li>one<li>two</ul>"
            "<img alt=\"A &quot;cat&quot;\" src=x><table><tr><td>c1<td>c2</table></body></html>")
    assert readings(text, "html") == ["A & B", "Big news", "He said don’t •, see more.", "one", "two",
                                      'A "cat"', "c1", "c2"]
    extraction = extract(text, "html")
    assert [body for _, _, body in extraction.comments] == [" note "]
    assert extraction.notices == ()


@pytest.mark.parametrize("name", ["council-budget.html", "broken.html"])
def test_every_html_range_holds_no_markup_and_maps_to_the_parsed_text(name):
    text = (FIXTURES / name).read_text()
    for block in extract(text, "html").blocks:
        for start, end in block.ranges:
            assert not re.search(r"[<>&]", text[start:end]), text[start:end]
        for start, end, reads in block.marks:
            assert reads is None or reads == " " or html.unescape(text[start:end]) == reads


def test_html_region_offsets_are_absolute():
    text = "# Title\n\n<div>\n<p>Inside the <b>div</b> block.</p>\n</div>\n"
    blocks = extract(text, "markdown").blocks
    assert [reading(text, b) for b in blocks] == ["Title", "Inside the div block."]
    assert text[blocks[1].start:blocks[1].end] == "Inside the <b>div</b> block."


def test_crlf_markdown_keeps_offsets():
    text = "# Head\r\n\r\nFirst line\r\nsecond `x` line.\r\n"
    doc = parse_markup(text, "a.md", "markdown")
    assert [doc.text[s.start:s.end] for s in doc.sentences] == ["Head", "First line\r\nsecond `x` line."]


def test_sentences_never_cross_blocks_and_headings_end_sentences():
    text = "# Results are in\nThe vote passed\n\n| a b | c d |\n|---|---|\n"
    doc = parse_markup(text, "a.md", "markdown")
    assert [doc.text[s.start:s.end] for s in doc.sentences] == ["Results are in", "The vote passed", "a b", "c d"]
    assert [s.paragraph for s in doc.sentences] == [0, 1, 2, 3]


def test_align_reads_escapes_and_entities():
    src = "x \\*a\\* &amp; b"
    # The escape backslashes (2 and 5) fall between pieces; &amp; reads as "&".
    assert align(src, "*a* & b", 0, len(src)) == [(3, 5, None), (6, 8, None), (8, 13, "&"), (13, 15, None)]
    assert align(src, "zzz", 0, len(src)) is None


def test_markdown_warnings_for_unclosed_fence_and_front_matter():
    notices = extract("---\ntitle: x\n\nText.\n\n```\ncode\n", "markdown").notices
    assert [n.message.split(";")[0] for n in notices] == [
        "front matter opened on line 1 is never closed", "code fence opened on line 6 is never closed"]


def test_annotation_reads_markup_and_keeps_offsets():
    text = "# Title\n\nSee `code` at [docs](http://x) &amp; more.\n"
    doc = parse_markup(text, "a.md", "markdown")
    items = annotation(doc, doc.paragraphs[0][0], doc.paragraphs[-1][1])
    assert "".join(i.get("text", i.get("markup")) for i in items) == text[2:-1]
    assert [i for i in items if "interpretAs" in i] == [
        {"markup": "\n\n", "interpretAs": "\n\n"}, {"markup": "`code`", "interpretAs": "Dummy0"},
        {"markup": "&amp;", "interpretAs": "&"}]


def test_gap_reading():
    assert gap_reads_as("**") == "" and gap_reads_as("\n   ") == " "
    assert gap_reads_as('<a href="x" title="a b">') == "" and gap_reads_as("<br/>") == " "


def test_prose_index_drops_matches_on_or_before_skipped_words():
    text = "Use an `x` here and there.\n"
    doc = parse_markup(text, "a.md", "markdown")
    prose = ProseIndex(doc)
    an, here = text.index("an"), text.index("here")
    assert not prose.holds(an, an + 2)  # a/an judged against the dummy word
    assert not prose.holds(text.index("`"), text.index("`") + 3)
    assert prose.holds(here, here + 4)
    assert not prose.holds(len(text) - 1, len(text))  # the final newline is not prose


def test_sentence_words_count_prose_only():
    from qa.runner import score_sentences

    text = "See [the docs](https://example.com/a/b/c) and `make test all` now.\n"
    doc = parse_markup(text, "a.md", "markdown")
    assert [s.words for s in score_sentences(doc, [])] == [6]  # See the docs and • now


def test_html_block_spans_hug_the_prose():
    text = "<p>\n   Indented text\n   wraps here.\n</p>"
    (block,) = extract(text, "html").blocks
    assert text[block.start:block.end] == "Indented text\n   wraps here."
