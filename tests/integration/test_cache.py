"""The result cache end to end: real `qa check` runs against the real LanguageTool server."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa.cache import default_path
from qa.cli import app
from qa.config import defaults, load_config
from qa.document import parse, read_document
from qa.engines.languagetool import lt_home
from qa.runner import Session

runner = CliRunner()
ROOT = Path(__file__).parents[2]
TRAIN = ROOT / "corpora" / "paragraphs" / "train"
ERRORS = "The council met on Monday.\n\nHe go to the meeting 😀 late. Its a problem.\n"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty cache dir for this test; LanguageTool is linked in for embedded servers."""
    path = tmp_path / "cache"
    path.mkdir()
    installed = lt_home(defaults()["languagetool"]["version"])
    (path / installed.name).symlink_to(installed)
    monkeypatch.setenv("QA_CACHE_DIR", str(path))
    return path


def entries(kind="grammar"):
    path = default_path()
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM entries WHERE kind = ?", (kind,)).fetchone()[0]
    finally:
        db.close()


def distinct_sentences(*paths):
    """Distinct (text before in paragraph, sentence, text after): one grammar entry each."""
    seen = set()
    for path in paths:
        doc = parse(Path(path).read_text("utf-8"))
        for s in doc.sentences:
            p_start, p_end = doc.paragraphs[s.paragraph]
            seen.add((doc.text[p_start:s.start], doc.text[s.start:s.end], doc.text[s.end:p_end]))
    return len(seen)


def check(*args):
    select = [] if "--select" in args else ["--select", "GR"]  # the family that has a cache_key
    result = runner.invoke(app, ["check", *args, *select, "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def results(report):
    """The report without its signature (whose config hash records --no-cache)."""
    return {"files": report["files"], "summary": report["summary"]}


def qa(*args, cwd, env=None):
    return subprocess.Popen([sys.executable, "-m", "qa", *args], cwd=cwd, env=env or os.environ.copy(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def train_files(project, files=3, paragraphs=15):
    names = []
    for source in sorted(TRAIN.glob("*.txt"))[:files]:
        chosen = [p for p in source.read_text("utf-8").split("\n\n") if p.strip()][:paragraphs]
        (project / source.name).write_text("\n\n".join(chosen) + "\n", encoding="utf-8")
        names.append(source.name)
    (project / "errors.txt").write_text(ERRORS, encoding="utf-8")
    return names + ["errors.txt"]


def test_two_concurrent_runs_agree_and_fill_the_cache_once(project, cache_dir, lt_url):
    files = train_files(project)
    args = ["check", *files, "--lt-server", lt_url, "--select", "GR", "-f", "json"]
    first, second = qa(*args, cwd=project), qa(*args, cwd=project)  # both start cold, at once
    outputs = [process.communicate() for process in (first, second)]
    assert first.returncode == second.returncode == 1, outputs[0][1] + outputs[1][1]
    assert "warning" not in outputs[0][1] + outputs[1][1]
    one, two = (json.loads(stdout) for stdout, _ in outputs)
    assert one == two
    reference = check(*files, "--lt-server", lt_url, "--no-cache")
    assert results(one) == results(reference)
    go = [i for i in one["files"][-1]["issues"] if i["text"] == "go"]
    assert [(i["rule"], i["line"], i["column"]) for i in go] == [("GR002", 3, 4)]
    assert entries() == distinct_sentences(*(project / f for f in files))
    assert entries() > 120
    db = sqlite3.connect(default_path())
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_a_fully_cached_run_needs_no_languagetool(project, cache_dir):
    """With no server running, qa would start one from the install; remove the install
    and a cached file is still reported identically, while a changed one cannot be."""
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    (project / "b.txt").write_text("She don't know. The end.. Then more.\n", encoding="utf-8")
    command = [sys.executable, "-m", "qa", "check", "a.txt", "b.txt", "--select", "GR", "-f", "json"]
    cold = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert cold.returncode == 1, cold.stderr
    (cache_dir / lt_home(defaults()["languagetool"]["version"]).name).unlink()
    warm = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert (warm.returncode, warm.stdout, warm.stderr) == (1, cold.stdout, "")
    assert json.loads(warm.stdout)["signature"]["languagetool_version"] == "6.7"
    (project / "b.txt").write_text("She don't know it. The end.. Then more.\n", encoding="utf-8")
    changed = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert changed.returncode == 3
    assert "grammar checks skipped: LanguageTool 6.7 is not installed" in changed.stderr


def test_with_an_explicit_server_a_hit_needs_it_to_answer(project, cache_dir, lt_url):
    """The server's version is part of the key, so an unreachable --lt-server is an error
    even for cached text; nothing is served that might come from another version."""
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    check("a.txt", "--lt-server", lt_url)
    result = runner.invoke(app, ["check", "a.txt", "--lt-server", "http://127.0.0.1:9/", "--select", "GR",
                                 "-f", "json"])
    assert result.exit_code == 3
    assert "grammar checks skipped: LanguageTool server at http://127.0.0.1:9/ failed" in result.output
    assert json.loads(result.stdout)["files"][0]["issues"] == []


def test_a_changed_config_language_or_selection_misses(project, cache_dir, lt_url):
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    sentences = distinct_sentences(project / "a.txt")
    base = check("a.txt", "--lt-server", lt_url)
    assert entries() == sentences
    assert check("a.txt", "--lt-server", lt_url) == base and entries() == sentences
    check("a.txt", "--lt-server", lt_url, "--lang", "en-GB")
    assert entries() == 2 * sentences
    check("a.txt", "--lt-server", lt_url, "--select", "GR002")
    assert entries() == 3 * sentences
    (project / "qa.toml").write_text("[languagetool]\nchunk_chars = 5000\n")
    check("a.txt", "--lt-server", lt_url)
    assert entries() == 4 * sentences
    # Exit policy cannot change what is found: it shares the entries.
    check("a.txt", "--lt-server", lt_url, "--fail-on", "never")
    assert entries() == 4 * sentences


def test_another_languagetool_version_misses(project, cache_dir, lt_url):
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    config = load_config(project, overrides={"lt_server": lt_url, "select": ["GR"]})
    with Session(config) as session:
        first = session.check_path("a.txt")
    assert entries() == 3
    with Session(config) as session:
        session.engines.languagetool.version = "6.8"  # the same server, as if upgraded
        upgraded = session.check_path("a.txt")
        assert session.signature().languagetool_version == "6.8"
    assert entries() == 6
    assert upgraded.issues == first.issues


def test_an_edited_sentence_rechecks_its_paragraph_only(project, cache_dir, lt_url):
    text = ("The council met on Monday. It approve the plan. Members voted.\n\n"
            "He go to the meeting late. Its a problem.\n")
    (project / "a.txt").write_text(text, encoding="utf-8")
    check("a.txt", "--lt-server", lt_url)
    assert entries() == 5
    edited = text.replace("Members voted.", "Most members voted.")
    (project / "a.txt").write_text(edited, encoding="utf-8")
    report = check("a.txt", "--lt-server", lt_url)
    assert entries() == 8  # the three sentences of the first paragraph, whose context changed
    assert results(report) == results(check("a.txt", "--lt-server", lt_url, "--no-cache"))
    rules = {i["text"]: i["rule"] for i in report["files"][0]["issues"]}
    assert rules["approve"] == "GR002" and rules["go"] == "GR002"


def test_an_issue_across_a_sentence_boundary_is_cached_and_moved_exactly(project, cache_dir, lt_url):
    paragraph = "The end.. Then more."  # pysbd splits after "end."; LanguageTool flags ".."
    (project / "a.txt").write_text(f"Opening words here.\n\n{paragraph}\n", encoding="utf-8")
    (project / "b.txt").write_text(f"Other words come first. And more.\n\n{paragraph}\n", encoding="utf-8")
    cold = check("a.txt", "--lt-server", lt_url)
    [issue] = [i for i in cold["files"][0]["issues"] if i["evidence"]["lt_rule"] == "DOUBLE_PUNCTUATION"]
    sentence = cold["files"][0]["sentences"][issue["sentence"]]
    assert issue["text"] == ".." and issue["start"] < sentence["end"] < issue["end"]
    assert check("a.txt", "--lt-server", lt_url) == cold
    before = entries()
    moved = check("b.txt", "--lt-server", lt_url)
    assert entries() == before + 2  # only b's first paragraph was new
    [issue] = [i for i in moved["files"][0]["issues"] if i["evidence"]["lt_rule"] == "DOUBLE_PUNCTUATION"]
    text = (project / "b.txt").read_text()
    assert text[issue["start"]:issue["end"]] == ".." and issue["line"] == 3
    assert results(moved) == results(check("b.txt", "--lt-server", lt_url, "--no-cache"))


def test_no_cache_neither_reads_nor_writes(project, cache_dir, lt_url):
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    check("a.txt", "--lt-server", lt_url, "--no-cache")
    assert not default_path().exists()
    real = check("a.txt", "--lt-server", lt_url)
    fake = json.dumps([{"rule": "GR006", "name": "grammar.other", "family": "grammar",
                        "category": "fluency/grammar", "severity": "critical", "confidence": 1.0,
                        "start": 0, "end": 2, "sentence": 0, "message": "planted in the cache"}])
    db = sqlite3.connect(default_path())
    db.execute("UPDATE entries SET value = ? WHERE kind = 'grammar'", (fake,))
    db.commit()
    db.close()
    planted = check("a.txt", "--lt-server", lt_url)
    assert [i["message"] for i in planted["files"][0]["issues"]] == ["planted in the cache"] * 3
    bypassed = check("a.txt", "--lt-server", lt_url, "--no-cache")
    assert results(bypassed) == results(real)
    (project / "qa.toml").write_text("cache = false\n")
    assert results(check("a.txt", "--lt-server", lt_url)) == results(real)


def test_a_corrupt_cache_file_is_a_warning_and_is_recreated(project, cache_dir, lt_url):
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    reference = check("a.txt", "--lt-server", lt_url, "--no-cache")
    default_path().write_bytes(os.urandom(4096))
    run = subprocess.run([sys.executable, "-m", "qa", "check", "a.txt", "--lt-server", lt_url,
                          "--select", "GR", "-f", "json"], cwd=project, capture_output=True, text=True)
    assert run.returncode == 1
    assert "qa: warning: result cache" in run.stderr and "starting a new one" in run.stderr
    assert results(json.loads(run.stdout)) == results(reference)
    assert entries() == 3


def test_cache_info_and_clear(project, cache_dir, lt_url):
    assert "no cache yet" in runner.invoke(app, ["cache", "info"]).output
    (project / "a.txt").write_text(ERRORS, encoding="utf-8")
    check("a.txt", "--lt-server", lt_url)
    info = runner.invoke(app, ["cache", "info"])
    assert info.exit_code == 0 and str(default_path()) in info.output
    assert "5 entries (grammar 3, segmentation 2)" in info.output
    assert runner.invoke(app, ["cache", "clear"]).exit_code == 0
    assert not default_path().exists()


def test_markdown_results_are_cached_exactly(project, cache_dir, lt_url):
    (project / "a.md").write_text("---\ntitle: x\n---\n# Notes\n\nHe go to `the_thing` there. "
                                  "See [the docs](https://example.com) now.\n\n- Its a list item.\n",
                                  encoding="utf-8")
    cold = check("a.md", "--lt-server", lt_url)
    assert [i["text"] for i in cold["files"][0]["issues"]] == ["go", "Its"]
    assert check("a.md", "--lt-server", lt_url) == cold
    assert entries() == len(read_document(project / "a.md").sentences)
    assert results(cold) == results(check("a.md", "--lt-server", lt_url, "--no-cache"))


def test_an_edited_vocabulary_file_misses(project, cache_dir, lt_url):
    """The config names the file; its content must be part of the key too."""
    (project / "a.txt").write_text("Minister Zvarych spoke on Monday.\n", encoding="utf-8")
    (project / "accept.txt").write_text("# names\n", encoding="utf-8")
    (project / "qa.toml").write_text('vocabulary = "accept.txt"\n')
    flagged = check("a.txt", "--lt-server", lt_url)
    assert [i["text"] for i in flagged["files"][0]["issues"]] == ["Zvarych"]
    (project / "accept.txt").write_text("# names\nZvarych\n", encoding="utf-8")
    assert check("a.txt", "--lt-server", lt_url)["files"][0]["issues"] == []
    assert entries() == 2


def test_a_warm_run_with_every_family_loads_no_inversion_model(project, cache_dir, lt_url):
    """The inversion key must not depend on anything known only once the models are loaded
    (the model's default threshold), or every file after the first would miss."""
    installed = (cache_dir / lt_home(defaults()["languagetool"]["version"]).name).resolve()
    converted_lm = installed.parent / "smollm2-135m-f32"
    if converted_lm.is_dir():  # saves a 20 s de-quantization
        (cache_dir / converted_lm.name).symlink_to(converted_lm)
    for name, text in (("a.txt", "The singer was found dead. Detectives said there was no sign of the foul.\n"),
                       ("b.txt", "They joined the march against democracy, demanding free elections.\n")):
        (project / name).write_text(text, encoding="utf-8")
    config = load_config(project, overrides={"lt_server": lt_url})
    with Session(config) as cold:
        first = [cold.check_document(read_document(project / n)).issues for n in ("a.txt", "b.txt")]
    stored = entries("inversion")
    with Session(config) as warm:
        again = [warm.check_document(read_document(project / n)).issues for n in ("a.txt", "b.txt")]
        inversion = next(check for check in warm.checks if check.family == "inversion")
        assert inversion._detector is None, "a cached run loaded the inversion models"
    assert again == first and any(i.rule.startswith("SI") for i in first[0])
    assert entries("inversion") == stored > 0
