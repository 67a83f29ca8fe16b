"""`qa report`: re-render a saved JSON report; load_report errors; --source/--reference lookup."""

import json

import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.document import parse
from qa.formatters import get_formatter
from qa.issue import Category, Issue, Severity
from qa.parallel import ParallelError, attach, find_parallel
from qa.report import FileResult, Report, ReportFileError, Signature, load_report
from qa.runner import score_sentences

runner = CliRunner()
TEXT = "He go home.\n\nIt is late."


def sample(source=None):
    doc = parse(TEXT, "a.txt")
    issues = (Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR,
                    0.85, 3, 5, 0, "agreement", ("goes",)),)
    return Report(Signature("0.1.0", "en-US", "0" * 16, "6.7"),
                  (FileResult("a.txt", TEXT, score_sentences(doc, issues), issues, source=source),))


def save(path, report):
    path.write_text(get_formatter("json")(report))
    return path


def test_report_renders_html_under_reports_by_default(project):
    save(project / "run.json", sample(source="Er geht nach Hause."))
    result = runner.invoke(app, ["report", "run.json"])
    assert result.exit_code == 0, result.output
    html = (project / "reports/run.html").read_text()
    assert html == get_formatter("html")(sample(source="Er geht nach Hause."))
    assert "Er geht nach Hause." in html


def test_report_renders_other_formats_to_the_given_file(project):
    save(project / "run.json", sample())
    assert runner.invoke(app, ["report", "run.json", "-f", "text", "-o", "out/r.txt"]).exit_code == 0
    assert (project / "out/r.txt").read_text() == get_formatter("text")(sample())


def test_source_and_reference_round_trip_through_json(tmp_path):
    report = sample(source="Quelle.")
    data = json.loads(get_formatter("json")(report))
    assert data["files"][0]["source"] == "Quelle." and "reference" not in data["files"][0]
    assert load_report(save(tmp_path / "r.json", report)) == report
    assert "source" not in json.loads(get_formatter("json")(sample()))["files"][0]


@pytest.mark.parametrize("content, message", [
    ("[1,", "not valid JSON at line 1, column 4"),
    ('{"schema": "qa-baseline/1"}', "not a qa-report/1 report (schema is 'qa-baseline/1')"),
])
def test_unreadable_reports_are_named_errors(tmp_path, content, message):
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(ReportFileError) as error:
        load_report(path)
    assert str(error.value).startswith(f"{path}: {message}")


def test_schema_errors_name_the_place(project):
    data = json.loads(get_formatter("json")(sample()))
    del data["files"][0]["issues"][0]["rule"]
    (project / "r.json").write_text(json.dumps(data))
    result = runner.invoke(app, ["report", "r.json"])
    assert result.exit_code == 2
    assert "r.json: invalid qa-report/1 report at $.files[0].issues[0]: 'rule' is a required property" in result.output
    assert not (project / "reports/r.html").exists()
    missing = runner.invoke(app, ["report", "nope.json"])
    assert missing.exit_code == 2 and "nope.json: cannot read report" in missing.output


def test_parallel_texts_by_file_or_directory(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.txt").write_text("Quelle A.")
    (tmp_path / "src/b.txt").write_bytes(b"\xff")
    (tmp_path / "one.txt").write_text("Eins.")
    texts, warnings = find_parallel(["docs/a.txt", "docs/b.txt", "docs/c.txt"], tmp_path / "src", "source")
    assert texts == {"docs/a.txt": "Quelle A."}
    assert len(warnings) == 1 and "src/b.txt: not valid UTF-8 at byte offset 0" in warnings[0]
    assert "docs/b.txt is shown without its source" in warnings[0]
    assert find_parallel(["a.txt"], tmp_path / "one.txt", "reference") == ({"a.txt": "Eins."}, [])
    with pytest.raises(ParallelError, match="is a file but 2 files are checked"):
        find_parallel(["a.txt", "b.txt"], tmp_path / "one.txt", "source")
    with pytest.raises(ParallelError, match="--source .*nope: no such file or directory"):
        find_parallel(["a.txt"], tmp_path / "nope", "source")
    attached = attach(sample(), {"a.txt": "Q"}, {"a.txt": "R"}).files[0]
    assert (attached.source, attached.reference) == ("Q", "R")
