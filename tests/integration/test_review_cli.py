"""`qa check --baseline`, `--source`/`--reference` and `-f html` against the real LanguageTool server."""

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from qa.cli import app

runner = CliRunner()
SCHEMA = json.loads((Path(__file__).parents[2] / "qa/schemas/qa-report-1.schema.json").read_text())
TEXT = "The council met on Monday.\n\nHe go to the meeting late. Its a problem.\n"


def check(*args):
    return runner.invoke(app, ["check", *args])


def test_baseline_skips_listed_issues_before_scoring_and_exit_code(project, lt_url):
    (project / "a.txt").write_text(TEXT)
    assert check("a.txt", "--lt-server", lt_url, "--select", "GR", "-f", "json", "-o", "r.json").exit_code == 1
    report = json.loads((project / "r.json").read_text())
    issues = report["files"][0]["issues"]
    baseline = {"schema": "qa-baseline/1", "issues": [
        {"fingerprint": i["fingerprint"], "rule": i["rule"], "path": "a.txt", "text": i["text"]} for i in issues]}
    (project / "base.json").write_text(json.dumps(baseline))
    result = check("a.txt", "--lt-server", lt_url, "--select", "GR", "-f", "json", "--baseline", "base.json")
    assert result.exit_code == 0  # everything is known: nothing new to fail on
    after = json.loads(result.stdout)["files"][0]
    assert after["issues"] == [] and after["score"] == 100.0
    assert all(s["score"] == 100.0 for s in after["sentences"])


def test_source_and_reference_are_carried_in_json_and_html(project, lt_url):
    (project / "a.txt").write_text(TEXT)
    (project / "src").mkdir()
    (project / "src/a.txt").write_text("Der Rat tagte am Montag.\n\nEr geht zu spät zum Treffen.\n")
    (project / "ref.txt").write_text("The council met on Monday.\n\nHe goes to the meeting late.\n")
    result = check("a.txt", "--lt-server", lt_url, "-f", "json", "--source", "src", "--reference", "ref.txt")
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["files"][0]["source"].startswith("Der Rat tagte")
    assert data["files"][0]["reference"].startswith("The council met")
    html = check("a.txt", "--lt-server", lt_url, "-f", "html", "--source", "src")
    assert html.stdout.startswith("<!DOCTYPE html>") and "Er geht zu spät zum Treffen." in html.stdout
    (project / "b.txt").write_text("Fine.\n")
    bad = check("a.txt", "b.txt", "--lt-server", lt_url, "--source", "ref.txt")
    assert bad.exit_code == 2 and "--source ref.txt is a file but" in bad.output
