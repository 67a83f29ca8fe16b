"""Baseline files: format, clear errors, atomic writes, and narrowing a report with them."""

import json

import pytest

from qa.baseline import SCHEMA, Baseline, BaselineError, dumps, entries, load, save
from qa.document import parse
from qa.issue import Category, Issue, Severity
from qa.narrow import keep_issues, narrow
from qa.report import FileResult, Report, Signature
from qa.runner import score_sentences

TEXT = "He go to school. Its late.\n\nHe go to school.\n"


def report(text=TEXT, path="a.txt"):
    doc = parse(text, path)
    issues = []
    for word, rule, severity in (("go", "GR002", Severity.MAJOR), ("Its", "GR003", Severity.MINOR)):
        start = -1
        while (start := text.find(word, start + 1)) >= 0:
            issues.append(Issue(rule, "grammar.x", "grammar", Category.FLUENCY_GRAMMAR, severity, 0.9,
                                start, start + len(word), doc.sentence_at(start), "m"))
    issues.sort(key=lambda i: i.start)
    return Report(Signature("0", "en-US", "0" * 16),
                  (FileResult(path, text, score_sentences(doc, issues), tuple(issues)),))


def test_save_writes_the_documented_format_one_issue_per_line(tmp_path):
    path = tmp_path / "sub" / "qa-baseline.json"
    assert save(path, report()) == 2  # the two identical "He go to school." share one entry
    data = json.loads(path.read_text())
    result = report().files[0]
    assert data == {"schema": SCHEMA, "issues": [
        {"fingerprint": result.fingerprint(result.issues[0]), "rule": "GR002", "path": "a.txt", "text": "go"},
        {"fingerprint": result.fingerprint(result.issues[1]), "rule": "GR003", "path": "a.txt", "text": "Its"}]}
    assert path.read_text().count("\n") == 7 and [p.name for p in path.parent.iterdir()] == ["qa-baseline.json"]
    assert load(path).fingerprints == {e["fingerprint"] for e in data["issues"]}


def test_an_empty_baseline_is_valid(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(dumps([]))
    assert len(load(path)) == 0


@pytest.mark.parametrize("content, message", [
    ("{not json", "b.json: invalid JSON at line 1 column 2 (Expecting property name enclosed in double quotes)"),
    ('{"schema": "qa-report/1", "issues": []}', "b.json: not a qa-baseline/1 baseline (schema is 'qa-report/1')"),
    ("[]", "b.json: not a qa-baseline/1 baseline (schema is 'list')"),
    ('{"schema": "qa-baseline/1", "issues": {}}', "b.json: 'issues' must be a list"),
    ('{"schema": "qa-baseline/1", "issues": [{"fingerprint": "0123456789abcdef0123"}, {"fingerprint": "xyz"}]}',
     "b.json: issues[1].fingerprint must be 20 lowercase hex digits, got 'xyz'"),
    ('{"schema": "qa-baseline/1", "issues": ["0123456789abcdef0123"]}',
     "b.json: issues[0].fingerprint must be 20 lowercase hex digits, got None"),
])
def test_bad_baselines_name_the_file_and_the_place(tmp_path, content, message):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(BaselineError) as error:
        load(path)
    assert str(error.value) == message.replace("b.json", str(path))


def test_missing_baseline_is_a_clear_error(tmp_path):
    with pytest.raises(BaselineError, match="nope.json: baseline file not found"):
        load(tmp_path / "nope.json")


def test_narrow_drops_only_listed_fingerprints_and_rescores():
    original = report()
    result = original.files[0]
    go = result.fingerprint(result.issues[0])
    narrowed, known = narrow(original, Baseline(frozenset({go})))
    assert known == 2  # both "He go to school." sentences share the fingerprint
    assert [i.rule for i in narrowed.issues] == ["GR003"]
    assert [s.score for s in narrowed.files[0].sentences] == [100.0, 50.0, 100.0]
    assert [s.score for s in result.sentences] == [0.0, 50.0, 0.0]
    assert narrowed.summary()["by_severity"] == {"minor": 1, "major": 0, "critical": 0}


def test_fingerprints_ignore_position_path_case_and_spacing():
    moved = report("A new first sentence.\n\nHE  go\nto school. Its late.\n", path="renamed.txt")
    base = report()
    assert entries(moved)[0]["fingerprint"] == entries(base)[0]["fingerprint"]


def test_keep_issues_leaves_untouched_files_identical():
    original = report()
    assert keep_issues(original, lambda r, i: True).files[0] is original.files[0]
