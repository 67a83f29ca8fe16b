"""`qa check` end to end against the real LanguageTool server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from qa.cli import app

runner = CliRunner()
ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "qa/schemas/qa-report-1.schema.json").read_text())
ERRORS = "The council met on Monday.\n\nHe go to the meeting 😀 late. Its a problem.\n"


def check(*args):
    return runner.invoke(app, ["check", *args])


def test_json_report_has_real_issues_with_correct_offsets_and_lines(project, lt_url):
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    result = check("a.txt", "--lt-server", lt_url, "--select", "GR", "-f", "json", "-o", "r.json")
    assert result.exit_code == 1  # GR002 is major; default --fail-on major
    report = json.loads((project / "r.json").read_text())
    jsonschema.validate(report, SCHEMA)
    issues = {i["text"]: i for i in report["files"][0]["issues"]}
    go = issues["go"]
    assert (go["rule"], go["line"], go["column"], go["sentence"]) == ("GR002", 3, 4, 1)
    assert ERRORS[go["start"]:go["end"]] == "go"
    assert issues["Its"]["rule"] == "GR003" and issues["Its"]["line"] == 3
    assert ERRORS[issues["Its"]["start"]:issues["Its"]["end"]] == "Its"
    assert report["signature"]["languagetool_version"] == "6.7"
    assert report["files"][0]["sentences"][0]["score"] == 100.0
    assert report["files"][0]["sentences"][1]["score"] < 100.0


def test_exit_codes_follow_fail_on(project, lt_url):
    (project / "clean.txt").write_text("The council met on Monday and approved the budget.\n")
    (project / "minor.txt").write_text("We got a free gift with the order.\n")
    assert check("clean.txt", "--lt-server", lt_url).exit_code == 0
    assert check("minor.txt", "--lt-server", lt_url).exit_code == 0
    assert check("minor.txt", "--lt-server", lt_url, "--fail-on", "minor").exit_code == 1
    (project / "bad.txt").write_bytes(b"\xff\xfe")
    assert check("minor.txt", "bad.txt", "--lt-server", lt_url, "--fail-on", "minor").exit_code == 3


def test_text_output_shows_span_suggestion_and_summary(project, lt_url):
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    result = check("a.txt", "--lt-server", lt_url, "--select", "GR")
    assert "a.txt:3:4: GR002 major" in result.stdout
    assert "'go' -> 'goes'" in result.stdout
    assert "Checked 1 file, 3 sentences:" in result.stdout


def test_chunked_requests_give_the_same_issues(project, lt_url):
    text = "\n\n".join(f"Paragraph {i} is here. He go to school 😀 on day {i}. Its fine." for i in range(30))
    (project / "long.txt").write_text(text, encoding="utf-8")
    whole = check("long.txt", "--lt-server", lt_url, "-f", "json", "--select", "GR")
    (project / "qa.toml").write_text("[languagetool]\nchunk_chars = 150\n")
    chunked = check("long.txt", "--lt-server", lt_url, "-f", "json", "--select", "GR")
    spans = lambda r: sorted((i["start"], i["end"], i["rule"]) for i in json.loads(r.stdout)["files"][0]["issues"])
    assert spans(whole) == spans(chunked)
    assert len([s for s in spans(whole) if text[s[0]:s[1]] == "go"]) == 30


def test_output_file_is_written_atomically(project, lt_url):
    (project / "a.txt").write_text(ERRORS)
    (project / "r.json").write_text("previous")
    check("a.txt", "--lt-server", lt_url, "-f", "json", "-o", "r.json")
    assert json.loads((project / "r.json").read_text())["schema"] == "qa-report/1"
    assert [p.name for p in project.iterdir() if p.name.startswith(".r.json")] == []


def java_servers():
    out = subprocess.run(["pgrep", "-f", "org.languagetool.server.HTTPServer"], capture_output=True, text=True)
    return set(out.stdout.split())


def test_embedded_server_is_started_once_and_stopped(project, tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (project / name).write_text("He go to school.\n")
    before = java_servers()
    env = {**os.environ, "QA_CACHE_DIR": str(isolated_cache(tmp_path))}
    result = subprocess.run([sys.executable, "-m", "qa", "check", "a.txt", "b.txt", "c.txt", "-f", "json"],
                            capture_output=True, text=True, env=env, cwd=project)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [len(f["issues"]) for f in report["files"]] == [1, 1, 1]
    assert java_servers() == before


def isolated_cache(tmp_path):
    """A cache dir sharing the installed LanguageTool but with no `qa server` state."""
    from qa.config import defaults
    from qa.engines.languagetool import lt_home

    version = defaults()["languagetool"]["version"]
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"languagetool-{version}").symlink_to(lt_home(version))
    return cache


def test_background_server_start_status_stop(project, tmp_path):
    env = {**os.environ, "QA_CACHE_DIR": str(isolated_cache(tmp_path))}
    qa = lambda *a: subprocess.run([sys.executable, "-m", "qa", *a], capture_output=True, text=True,
                                   env=env, cwd=project)
    assert qa("server", "status").returncode == 1
    started = qa("server", "start")
    assert started.returncode == 0 and "running at http://127.0.0.1:" in started.stdout
    try:
        assert qa("server", "status").returncode == 0
        (project / "a.txt").write_text("He go to school.\n")
        before = java_servers()
        result = qa("check", "a.txt", "-f", "json")  # uses the running server, starts none
        assert json.loads(result.stdout)["files"][0]["issues"][0]["rule"] == "GR002"
        assert java_servers() == before
    finally:
        assert "stopped server" in qa("server", "stop").stdout
    assert qa("server", "status").returncode == 1
