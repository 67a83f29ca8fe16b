"""Inline suppressions, per-file ignores, vocabulary files, warnings in reports."""

import json
from pathlib import Path

import jsonschema
import pytest

from qa.config import ConfigError, load_config
from qa.document import Notice, decode_mixed, parse
from qa.issue import Category, Issue, Severity
from qa.markup import parse_markup
from qa.report import FileResult, Report, Signature
from qa.suppress import apply_suppressions, parse_suppressions, per_file_selectors, plain_directives
from qa.vocabulary import load_vocabulary

SCHEMA = json.loads((Path(__file__).parents[2] / "qa/schemas/qa-report-1.schema.json").read_text())


def issue(text, word, rule="GR001", nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    name = {"GR001": "grammar.spelling", "GR002": "grammar.agreement", "TE001": "terminology.rejected_term"}[rule]
    return Issue(rule, name, name.split(".")[0], Category.FLUENCY_SPELLING, Severity.MINOR, 0.8,
                 start, start + len(word), 0, "m")


MARKDOWN = ("Teh first.\n\n<!-- qa-ignore GR001 -->\nTeh second.\n\n<!-- qa-ignore grammar -->\nTeh third.\n\n"
            "<!-- qa off -->\nTeh fourth.\n\nTeh fifth.\n<!-- qa on -->\n\nTeh sixth.\n\n"
            "<!-- qa-ignore TE -->\nTeh seventh.\n\n<!-- qa-ignore XX9 -->\n<!-- qa on -->\n")


def test_markdown_suppressions_cover_the_next_block_and_off_regions():
    doc = parse_markup(MARKDOWN, "a.md", "markdown")
    issues = [issue(MARKDOWN, "Teh", nth=n) for n in range(7)]
    kept, notices = apply_suppressions(doc, issues, {"GR001", "GR002", "TE001"}, report_unused=True)
    assert [MARKDOWN[i.start:MARKDOWN.index(".", i.start)] for i in kept] == ["Teh first", "Teh sixth", "Teh seventh"]
    assert [(n.kind, n.message) for n in notices] == [
        ("suppression", "unknown rule 'XX9' in 'qa-ignore'"),
        ("suppression", "'qa-ignore' has no block after it"),
        ("suppression", "'qa on' without a 'qa off' before it"),
        ("unused-suppression", "unused suppression 'qa-ignore TE': no matching issue in the next block")]
    assert notices[-1].start == MARKDOWN.index("<!-- qa-ignore TE")


def test_unused_is_not_judged_for_rules_that_did_not_run():
    doc = parse_markup(MARKDOWN, "a.md", "markdown")
    _, notices = apply_suppressions(doc, [], {"GR001"}, report_unused=True)
    unused = [n.message for n in notices if n.kind == "unused-suppression"]
    assert len(unused) == 3 and not any("TE" in m for m in unused)  # GR001, grammar, qa off
    assert [n for n in apply_suppressions(doc, [], {"GR001"}, False)[1] if n.kind == "unused-suppression"] == []


def test_plain_text_directive_lines_are_found_and_are_not_prose():
    text = "One para.\n# qa-ignore: GR001, GR002\nNext para here.\n\n#qa off\nOff.\n  # qa on  \n# a heading\n"
    assert [body for _, _, body in plain_directives(text)] == ["qa-ignore: GR001, GR002", "qa off", "qa on  "]
    doc = parse(text)
    assert [text[s:e] for s, e in doc.paragraphs] == ["One para.", "Next para here.", "Off.", "# a heading"]
    suppressions, notices = parse_suppressions(doc)
    assert [(s.directive, text[s.region[0]:s.region[1]].strip()) for s in suppressions] == [
        ("qa-ignore GR001 GR002", "Next para here."), ("qa off", "Off.")]
    assert notices == []


def test_per_file_selectors_match_relative_to_the_base(tmp_path):
    patterns = {"docs/legacy/*": ["GR005"], "*.html": ["GR004"], "./notes/**/*.md": ["TE"]}
    base = tmp_path
    assert per_file_selectors(str(tmp_path / "docs/legacy/a/b.md"), patterns, base) == ["GR005"]
    assert per_file_selectors(str(tmp_path / "site/x/page.html"), patterns, base) == ["GR004"]
    assert per_file_selectors(str(tmp_path / "notes/2024/x.md"), patterns, base) == ["TE"]
    assert per_file_selectors(str(tmp_path / "docs/a.md"), patterns, base) == []
    assert per_file_selectors("/elsewhere/docs/legacy/a.md", patterns, base) == []


def test_vocabulary_files_are_relative_to_the_config_and_case_rules(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "accept.txt").write_text("# comment\nLukashenko\ndocstring\n\nNew York Times\n")
    (tmp_path / "cfg" / "reject.txt").write_text("e-mail -> email\nutilize\n")
    (tmp_path / "qa.toml").write_text('vocabulary = "cfg/accept.txt"\nreject = "cfg/reject.txt"\n'
                                      '[terms]\n"web site" = "website"\n')
    vocabulary = load_vocabulary(load_config(tmp_path / "cfg"))
    assert vocabulary.accepts("Lukashenko") and not vocabulary.accepts("lukashenko")
    assert vocabulary.accepts("docstring") and vocabulary.accepts("Docstring")
    assert vocabulary.accepts("New York Times")
    assert dict(vocabulary.rejected) == {"e-mail": "email", "utilize": "", "web site": "website"}


def test_bad_vocabulary_files_are_config_errors_naming_file_and_line(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "qa.toml").write_text('vocabulary = "missing.txt"\n')
    with pytest.raises(ConfigError, match=r"missing\.txt: cannot read vocabulary file"):
        load_vocabulary(load_config(tmp_path))
    (tmp_path / "qa.toml").write_text('reject = "reject.txt"\n')
    (tmp_path / "reject.txt").write_text("fine -> good\nbroken ->\n")
    with pytest.raises(ConfigError, match=r"reject\.txt:2: expected 'wrong -> preferred'"):
        load_vocabulary(load_config(tmp_path))


def test_per_file_ignores_and_terms_must_be_well_typed(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "qa.toml").write_text('[per_file_ignores]\n"*.md" = "GR001"\n')
    with pytest.raises(ConfigError, match=r"per_file_ignores\['\*\.md'\] must be a list"):
        load_config(tmp_path)
    (tmp_path / "qa.toml").write_text('[terms]\n"e-mail" = 3\n')
    with pytest.raises(ConfigError, match=r"terms\['e-mail'\] must be a string"):
        load_config(tmp_path)


def test_decode_mixed_reads_invalid_bytes_with_the_fallback_and_says_where():
    data = "\ufeffCafé\n".encode() + b"caf\xe9 \x93quoted\x94\n"
    text, notices = decode_mixed(data, "a.md", "cp1252")
    assert text == "Café\ncafé “quoted”\n"
    assert notices == (Notice("encoding", "not valid UTF-8 at byte offset 12 (line 2, column 4); "
                              "3 invalid byte sequence(s) read as cp1252", 8),)
    with pytest.raises(Exception, match="not valid UTF-8 at byte offset 12"):
        decode_mixed(data, "a.md", "")
    with pytest.raises(Exception, match="binary file"):
        decode_mixed(b"\xff\xfeh\x00i\x00", "a.md", "cp1252")


def test_warnings_render_in_text_and_json_and_round_trip():
    from qa.formatters import get_formatter

    text = "Line one.\n<!-- qa off -->\n"
    result = FileResult("a.md", text, warnings=(Notice("unused-suppression", "unused suppression 'qa off'", 10),
                                                 Notice("markup", "something odd")))
    report = Report(Signature("0", "en-US", "0" * 16), (result,))
    data = json.loads(get_formatter("json")(report))
    jsonschema.validate(data, SCHEMA)
    assert data["files"][0]["warnings"][0] == {"kind": "unused-suppression", "message": "unused suppression 'qa off'",
                                               "start": 10, "line": 2, "column": 1}
    assert data["files"][0]["warnings"][1]["line"] is None and data["summary"]["warnings"] == 2
    assert Report.from_dict(data).to_dict() == data
    rendered = get_formatter("text")(report)
    assert "  a.md:2:1: warning: unused suppression 'qa off'\n  a.md: warning: something odd\n" in rendered
    assert rendered.rstrip().endswith("2 warnings")
