"""qa-baseline/1 files: reading, errors that name the file, and applying them to a report."""

import json

import pytest
from typer.testing import CliRunner

from qa.baseline import BaselineError, apply_baseline, load_baseline
from qa.cli import app
from qa.document import parse
from qa.issue import Category, Issue, Severity
from qa.report import FileResult, Report, Signature
from qa.runner import score_sentences

TEXT = "He go home. Its late."


def sample():
    doc = parse(TEXT, "a.txt")
    issues = (Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR,
                    0.85, 3, 5, 0, "agreement"),
              Issue("GR003", "grammar.confusion", "grammar", Category.FLUENCY_GRAMMAR, Severity.MINOR,
                    0.8, 12, 15, 1, "its"))
    return Report(Signature("0", "en-US", "0" * 16),
                  (FileResult("a.txt", TEXT, score_sentences(doc, issues), issues),))


def write(tmp_path, data, name="b.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_load_and_apply_drops_listed_issues_and_rescores(tmp_path):
    report = sample()
    go = report.files[0].fingerprint(report.files[0].issues[0])
    path = write(tmp_path, {"schema": "qa-baseline/1",
                            "issues": [{"fingerprint": go, "rule": "GR002", "path": "a.txt", "text": "go"}]})
    assert load_baseline(path) == frozenset({go})
    result = apply_baseline(report, load_baseline(path)).files[0]
    assert [i.rule for i in result.issues] == ["GR003"]
    assert result.sentences[0].score == 100.0 and report.files[0].sentences[0].score < 100.0
    assert result.sentences[1].score == report.files[0].sentences[1].score
    assert apply_baseline(report, frozenset()) is report


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON at line 1, column 2"),
    ({"schema": "qa-report/1"}, "not a qa-baseline/1 file (schema is 'qa-report/1')"),
    ([], "not a qa-baseline/1 file (schema is 'list')"),
    ({"schema": "qa-baseline/1", "issues": {}}, '"issues" must be a list'),
    ({"schema": "qa-baseline/1", "issues": [{"fingerprint": "0" * 20}, {"fingerprint": "XYZ"}]},
     "issues[1]: \"fingerprint\" must be 20 lowercase hex digits, got 'XYZ'"),
])
def test_bad_baselines_are_named_errors(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(BaselineError) as error:
        load_baseline(path)
    assert str(error.value).startswith(f"{path}: {message}")


def test_missing_baseline_file(tmp_path):
    with pytest.raises(BaselineError, match="nope.json: cannot read baseline"):
        load_baseline(tmp_path / "nope.json")


def test_check_with_a_bad_baseline_exits_2_before_checking(project):
    (project / "a.txt").write_text("Fine.\n")
    (project / "b.json").write_text("{}")
    result = CliRunner().invoke(app, ["check", "a.txt", "--baseline", "b.json"])
    assert result.exit_code == 2
    assert "b.json: not a qa-baseline/1 file" in result.output
