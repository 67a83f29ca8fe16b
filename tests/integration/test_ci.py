"""CI behaviour end to end with the real LanguageTool server: baselines, --changed-since,
--min-severity and the SARIF output of a real run."""

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from qa.cli import app

SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures/sarif-schema-2.1.0.json").read_text())
ERRORS = "The council met on Monday.\n\nHe go to the meeting late. Its a problem.\n"


def qa(*args):
    return CliRunner().invoke(app, list(args))


def issues(result):
    report = json.loads(result.stdout)
    return [(f["path"], i["rule"], i["text"], i["line"]) for f in report["files"] for i in f["issues"]]


def test_baseline_skips_known_issues_after_edits_and_moves_but_not_new_ones(project, lt_url):
    (project / "a.txt").write_text(ERRORS)
    recorded = qa("baseline", "a.txt", "--lt-server", lt_url, "-o", "qa-baseline.json")
    assert recorded.exit_code == 0, recorded.output
    assert "recorded 2 issues from 1 files in qa-baseline.json" in recorded.stderr
    baseline = json.loads((project / "qa-baseline.json").read_text())
    assert baseline["schema"] == "qa-baseline/1"
    assert [(i["rule"], i["path"], i["text"]) for i in baseline["issues"]] == \
           [("GR002", "a.txt", "go"), ("GR003", "a.txt", "Its")]
    report = json.loads(qa("check", "a.txt", "--lt-server", lt_url, "-f", "json").stdout)
    assert [i["fingerprint"] for i in baseline["issues"]] == \
           [i["fingerprint"] for i in report["files"][0]["issues"]]

    # Edits elsewhere, and the flagged sentences move to other lines and another paragraph.
    (project / "a.txt").write_text("A brand new opening paragraph was added today.\n\n"
                                   "The council met on Monday and on Tuesday.\n\n"
                                   "Some filler text is here.\nHe go to the meeting late.\n\nIts a problem.\n")
    known = qa("check", "a.txt", "--lt-server", lt_url, "--baseline", "qa-baseline.json", "-f", "json")
    assert known.exit_code == 0, known.output
    assert issues(known) == []
    assert "qa: 2 known issues skipped (baseline qa-baseline.json)" in known.stderr
    assert json.loads(known.stdout)["summary"]["score"] == 100.0

    with (project / "a.txt").open("a") as handle:
        handle.write("\nHe go to school every day.\n")
    new = qa("check", "a.txt", "--lt-server", lt_url, "--baseline", "qa-baseline.json", "-f", "json")
    assert new.exit_code == 1
    assert issues(new) == [("a.txt", "GR002", "go", 10)]


def test_baseline_drops_only_what_it_lists(project, lt_url):
    (project / "a.txt").write_text(ERRORS)
    assert qa("baseline", "a.txt", "--lt-server", lt_url).exit_code == 0
    path = project / "qa-baseline.json"  # the default output
    data = json.loads(path.read_text())
    data["issues"] = [i for i in data["issues"] if i["rule"] == "GR003"]
    path.write_text(json.dumps(data))
    result = qa("check", "a.txt", "--lt-server", lt_url, "--baseline", str(path), "-f", "json")
    assert result.exit_code == 1
    assert issues(result) == [("a.txt", "GR002", "go", 3)]
    assert "1 known issues skipped" in result.stderr


def test_bad_baseline_is_a_usage_error_naming_the_file(project, lt_url):
    (project / "a.txt").write_text(ERRORS)
    (project / "b.json").write_text('{"schema": "qa-baseline/1", "issues": [{"fingerprint": 7}]}')
    result = qa("check", "a.txt", "--lt-server", lt_url, "--baseline", "b.json")
    assert result.exit_code == 2
    assert "b.json: issues[0].fingerprint must be 20 lowercase hex digits, got 7" in result.stderr


def test_baseline_of_a_run_with_a_bad_file_is_written_and_exits_3(project, lt_url):
    (project / "a.txt").write_text(ERRORS)
    (project / "bad.txt").write_bytes(b"ok \xff")
    result = qa("baseline", "a.txt", "bad.txt", "--lt-server", lt_url, "-o", "b.json")
    assert result.exit_code == 3 and "bad.txt: not valid UTF-8 at byte offset 3" in result.stderr
    assert len(json.loads((project / "b.json").read_text())["issues"]) == 2


def test_min_severity_hides_issues_from_output_score_and_exit_code(project, lt_url):
    (project / "minor.txt").write_text("We got a free gift with the order.\n")
    assert qa("check", "minor.txt", "--lt-server", lt_url, "--fail-on", "minor").exit_code == 1
    hidden = qa("check", "minor.txt", "--lt-server", lt_url, "--fail-on", "minor",
                "--min-severity", "major", "-f", "json")
    assert hidden.exit_code == 0
    assert issues(hidden) == [] and json.loads(hidden.stdout)["summary"]["score"] == 100.0
    (project / "qa.toml").write_text('min_severity = "major"\nfail_on = "minor"\n')
    (project / "both.txt").write_text("He go to school. We got a free gift with the order.\n")
    shown = qa("check", "both.txt", "--lt-server", lt_url, "-f", "json")
    assert shown.exit_code == 1
    assert [rule for _, rule, _, _ in issues(shown)] == ["GR002"]
    words = json.loads(shown.stdout)["summary"]["words"]
    assert json.loads(shown.stdout)["summary"]["score"] == round(100 * (1 - 5 / words), 2)


def git(repo, *args):
    subprocess.run(["git", "-c", "user.email=qa@example.org", "-c", "user.name=qa", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.txt").write_text("He go to school. The council met on Monday.\n\n"
                                "Its a problem for everyone.\n\n"
                                "He go to the market\nand buys fish.\n")
    (repo / "c.txt").write_text("He go to school.\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    monkeypatch.chdir(repo)
    return repo


def test_changed_since_reports_only_sentences_touching_changed_lines(repo, lt_url):
    (repo / "a.txt").write_text("He go to school. The council met on Monday.\n\n"
                                "Its a big problem for everyone.\n\n"
                                "He go to the market\nand buys fresh fish.\n")
    (repo / "b.txt").write_text("He go to school.\n")  # untracked: entirely changed
    result = qa("check", "a.txt", "b.txt", "c.txt", "--lt-server", lt_url, "--changed-since", "HEAD",
                "-f", "json")
    assert result.exit_code == 1
    # Line 1's "He go" is unchanged; the wrapped sentence on lines 5-6 changed on line 6.
    assert sorted(issues(result)) == [("a.txt", "GR002", "go", 5), ("a.txt", "GR003", "Its", 3),
                                      ("b.txt", "GR002", "go", 1)]
    assert [f["path"] for f in json.loads(result.stdout)["files"]] == ["a.txt", "b.txt"]  # c.txt unchanged
    everything = qa("check", "a.txt", "--lt-server", lt_url, "-f", "json")
    assert ("a.txt", "GR002", "go", 1) in issues(everything)


def test_changed_since_with_nothing_changed_starts_no_engine(repo):
    # An unreachable server would make any check fail with exit 3.
    result = qa("check", "a.txt", "c.txt", "--lt-server", "http://127.0.0.1:9", "--changed-since", "HEAD")
    assert result.exit_code == 0, result.output
    assert "Checked 0 files" in result.stdout


def test_changed_since_usage_errors(repo, tmp_path):
    bad = qa("check", "a.txt", "--changed-since", "no-such-branch")
    assert bad.exit_code == 2 and "'no-such-branch' is not a known revision" in bad.stderr
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("Hello there.\n")
    result = qa("check", str(outside / "x.txt"), "--changed-since", "HEAD")
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr


def test_sarif_of_a_real_run_validates_with_utf16_columns(project, lt_url):
    (project / "a.txt").write_text("Fun 😀 fact: he go to school.\n", encoding="utf-8")
    result = qa("check", "a.txt", "--lt-server", lt_url, "--select", "GR002", "-f", "sarif", "-o", "a.sarif")
    assert result.exit_code == 1
    log = json.loads((project / "a.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    [found] = log["runs"][0]["results"]
    region = found["locations"][0]["physicalLocation"]["region"]
    # "go" is code point 16 but UTF-16 unit 17: the emoji is a surrogate pair.
    assert (found["ruleId"], region["snippet"]["text"], region["startColumn"]) == ("GR002", "go", 17)
