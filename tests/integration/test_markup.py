"""Markdown and HTML end to end against the real LanguageTool server: exact offsets and
lines in the original file, nothing found outside prose, suppressions, bad input."""

import json
import shutil
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from qa.cli import app

runner = CliRunner()
ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "markup"
SCHEMA = json.loads((ROOT / "qa/schemas/qa-report-1.schema.json").read_text())


def check_json(project, lt_url, *args):
    result = runner.invoke(app, ["check", *args, "--lt-server", lt_url, "--select", "GR,TE",
                                 "-f", "json", "-o", "report.json"])
    assert result.exit_code in (0, 1, 3), result.output
    report = json.loads((project / "report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    return report


def found(file_report):
    return [(i["rule"], i["text"], i["line"], i["column"]) for i in file_report["issues"]]


def copy(project, name):
    shutil.copy(FIXTURES / name, project / name)
    return (FIXTURES / name).read_text("utf-8")


def assert_offsets_index_the_original(file_report, text):
    assert file_report["text"] == text
    for issue in file_report["issues"]:
        assert text[issue["start"]:issue["end"]] == issue["text"]
        line_start = text.rfind("\n", 0, issue["start"]) + 1
        assert text.count("\n", 0, issue["start"]) + 1 == issue["line"]
        assert issue["start"] - line_start + 1 == issue["column"]


def test_markdown_page_issues_are_exact_and_only_in_prose(project, lt_url):
    text = copy(project, "install-guide.md")
    report = check_json(project, lt_url, "install-guide.md", "--report-unused-ignores")
    (page,) = report["files"]
    assert found(page) == [
        ("GR002", "need", 9, 41),  # paragraph
        ("GR001", "Frist", 12, 4),  # heading
        ("GR001", "releaze", 22, 25),  # link text in a list item
        ("GR002", "ask", 27, 27),  # block quote
        ("GR001", "cheks", 31, 29),  # table cell
        ("GR006", "an other", 32, 25),  # table cell
        ("GR001", "instaler", 34, 21),  # image alt text
    ]
    assert_offsets_index_the_original(page, text)
    # "goverment" and "teh" sit only in front matter, code, inline code and URLs.
    assert "goverment" in text and not any("goverment" in i["text"] for i in page["issues"])
    assert not any(i["text"] in ("teh", "instal") for i in page["issues"])
    # qa-ignore GR001 hid Zorblax/Quuxnet, qa off hid "paragraf"; the GR002 ignore matched nothing.
    assert not any(i["text"] in ("Zorblax", "Quuxnet", "paragraf") for i in page["issues"])
    assert page["warnings"] == [{
        "kind": "unused-suppression", "start": text.index("<!-- qa-ignore GR002"), "line": 43, "column": 1,
        "message": "unused suppression 'qa-ignore GR002': no matching issue in the next block"}]
    assert report["summary"]["warnings"] == 1
    # Headings, cells and list items are separate blocks: no sentence spans two of them.
    cells = [s for s in page["sentences"] if text[s["start"]:s["end"]] in ("Option", "What it does")]
    assert len(cells) == 2


def test_unused_suppressions_are_reported_only_when_asked(project, lt_url):
    copy(project, "install-guide.md")
    report = check_json(project, lt_url, "install-guide.md")
    assert report["files"][0]["warnings"] == []
    text = runner.invoke(app, ["check", "install-guide.md", "--lt-server", lt_url, "--select", "GR",
                               "--report-unused-ignores"]).stdout
    assert ("install-guide.md:43:1: warning: unused suppression 'qa-ignore GR002': "
            "no matching issue in the next block") in text
    assert text.rstrip().endswith(", 1 warning")


def test_html_page_issues_are_exact_and_only_in_prose(project, lt_url):
    text = copy(project, "council-budget.html")
    report = check_json(project, lt_url, "council-budget.html", "--report-unused-ignores")
    (page,) = report["files"]
    assert found(page) == [
        ("GR001", "budjet", 5, 36),  # <title>
        ("GR006", "then", 19, 39),  # paragraph wrapped over two lines
        ("GR001", "librarys", 20, 96),  # link text
        ("GR001", "Tusday", 23, 87),  # img alt
        ("GR001", "mony", 26, 19),  # <h2>
        ("GR001", "recreaton", 31, 25),  # table cell
        ("GR001", "untill", 42, 39),  # list item
    ]
    assert_offsets_index_the_original(page, text)
    # <style>, <script>, comments, URLs, <code> and <pre> hold "goverment" / "teh".
    assert not any(i["text"] in ("goverment", "teh") for i in page["issues"])
    assert not any("Okonkwo" in i["text"] for i in page["issues"])  # qa-ignore GR001
    assert page["warnings"] == []  # the one suppression was used


def test_plain_text_suppression_lines(project, lt_url):
    text = ("The goverment met on Monday.\n\n# qa-ignore GR001\nThe goverment met again.\n\n"
            "# qa off\nHe go home.\n# qa on\n\nShe go home.\n\n# qa-ignore: GR002, TE\nAll clear here.\n")
    (project / "notes.txt").write_text(text)
    report = check_json(project, lt_url, "notes.txt", "--report-unused-ignores")
    (notes,) = report["files"]
    assert found(notes) == [("GR001", "goverment", 1, 5), ("GR002", "go", 10, 5)]
    assert [(w["kind"], w["line"]) for w in notes["warnings"]] == [("unused-suppression", 12)]
    # Directive lines are not prose: no sentence contains them.
    assert not any("qa-ignore" in text[s["start"]:s["end"]] for s in notes["sentences"])


def test_vocabulary_terms_and_per_file_ignores(project, lt_url):
    (project / "vocab").mkdir()
    (project / "vocab" / "accept.txt").write_text("# names\nZorblax\nquuxnet\n")
    (project / "vocab" / "reject.txt").write_text("e-mail -> email\nweb site -> website\n")
    (project / "qa.toml").write_text(
        'vocabulary = "vocab/accept.txt"\nreject = "vocab/reject.txt"\n'
        '[terms]\n"log in to" = "sign in to"\n'
        '[per_file_ignores]\n"legacy/*" = ["GR"]\n')
    (project / "docs" / "legacy").mkdir(parents=True)
    page = "Zorblax and Quuxnet send an e-mail.\n\nPlease log in to the web site. The goverment agrees.\n"
    (project / "docs" / "a.md").write_text(page)
    (project / "docs" / "legacy").joinpath("old.md").write_text(page)
    (project / "legacy").mkdir()
    (project / "legacy" / "older.md").write_text(page)
    report = check_json(project, lt_url, "docs", "legacy")
    by_path = {f["path"]: found(f) for f in report["files"]}
    terms = [("TE001", "e-mail", 1, 29), ("TE001", "log in to", 3, 8), ("TE001", "web site", 3, 22)]
    # "Quuxnet" is accepted because the entry is lowercase; "Zorblax" exactly.
    assert by_path["docs/a.md"] == [*terms[:2], ("GR005", "web site", 3, 22), terms[2],
                                    ("GR001", "goverment", 3, 36)]
    assert by_path["docs/legacy/old.md"] == by_path["docs/a.md"]  # glob is relative to qa.toml
    assert by_path["legacy/older.md"] == terms
    suggestions = [i["suggestions"] for i in report["files"][0]["issues"] if i["rule"] == "TE001"]
    assert suggestions == [["email"], ["sign in to"], ["website"]]


def test_broken_html_and_unclosed_fence_are_checked_with_warnings(project, lt_url):
    html = copy(project, "broken.html")
    markdown = copy(project, "unclosed-fence.md")
    report = check_json(project, lt_url, "broken.html", "unclosed-fence.md")
    broken, fence = report["files"]
    assert (broken["error"], fence["error"]) == (None, None)
    assert found(broken) == [("GR001", "valey", 3, 36), ("GR001", "untill", 5, 39)]
    assert [(w["message"], w["line"]) for w in broken["warnings"]] == [
        ("<div> is never closed", 2), ("<i> is not closed before </b>", 4),
        ("stray end tag </i>", 4), ("stray end tag </span>", 5)]
    assert_offsets_index_the_original(broken, html)
    assert found(fence) == [("GR001", "speling", 3, 49)]  # "teh" is in the unclosed fence
    assert [(w["kind"], w["line"]) for w in fence["warnings"]] == [("markup", 5)]
    assert "code fence opened on line 5 is never closed" in fence["warnings"][0]["message"]
    assert_offsets_index_the_original(fence, markdown)


def test_mixed_encoding_is_an_error_unless_a_fallback_is_configured(project, lt_url):
    data = "# Café news\n\nThe café opened on Monday.\n\n".encode() + b"The caf\xe9 has a new goverment.\n"
    (project / "mixed.md").write_bytes(data)
    (project / "clean.md").write_text("A clean page.\n")
    strict = check_json(project, lt_url, "mixed.md", "clean.md")
    assert strict["files"][0]["error"] == "mixed.md: not valid UTF-8 at byte offset 50 (invalid continuation byte)"
    assert strict["files"][1]["error"] is None
    (project / "qa.toml").write_text('fallback_encoding = "cp1252"\n')
    result = runner.invoke(app, ["check", "mixed.md", "--lt-server", lt_url, "--select", "GR", "-f", "json"])
    assert result.exit_code == 0
    (mixed,) = json.loads(result.stdout)["files"]
    assert mixed["error"] is None and "The café has" in mixed["text"]
    assert found(mixed) == [("GR001", "goverment", 5, 20)]
    assert mixed["warnings"] == [{
        "kind": "encoding", "line": 5, "column": 8, "start": mixed["text"].index("é has"),
        "message": "not valid UTF-8 at byte offset 50 (line 5, column 8); 1 invalid byte sequence(s) read as cp1252"}]
