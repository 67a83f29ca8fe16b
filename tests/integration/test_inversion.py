"""The inversion family end to end with the real models (spaCy, MiniLM, SmolLM2, the trained
classifier): the seed article, report fields, severity, and grammar + inversion together."""

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from qa.cli import app

ROOT = Path(__file__).parents[2]
SEED = ROOT / "corpora" / "seed" / "000_33b904c69182b1ca.txt"
SCHEMA = json.loads((ROOT / "qa/schemas/qa-report-1.schema.json").read_text())
runner = CliRunner()


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed") / "r.json"
    result = runner.invoke(app, ["check", str(SEED), "--select", "SI", "--no-cache", "-f", "json", "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(out.read_text())


def annotated_sentences(report):
    """Sentence indices the team annotated (inversions and garbles) in corpora/seed/seed.jsonl."""
    record = json.loads((ROOT / "corpora/seed/seed.jsonl").read_text())
    sentences = report["files"][0]["sentences"]
    def index(offset):
        return next(s["index"] for s in reversed(sentences) if s["start"] <= offset)
    return {index(n["start"]) for n in record["annotations"]}


def test_seed_report_is_valid_and_issues_are_complete(seed_report):
    jsonschema.validate(seed_report, SCHEMA)
    issues = seed_report["files"][0]["issues"]
    assert issues, "no inversion found in the seed article"
    for issue in issues:
        assert issue["family"] == "inversion" and issue["name"].startswith("inversion.")
        assert issue["category"] == "accuracy/mistranslation"
        assert 0.0 < issue["confidence"] <= 1.0
        assert 1 <= len(issue["suggestions"]) <= 3
        assert issue["intended"] and issue["intended"] != issue["text"]
        assert issue["evidence"]["candidate_source"]
        assert "lm_sentence" in issue["evidence"]
    signature = seed_report["signature"]["models"]
    assert signature["inversion_classifier"].startswith("qa-inversion ")
    assert "SmolLM2" in signature["lm"] and "MiniLM" in signature["embeddings"]


def test_no_inversion_flags_outside_the_annotated_sentences_of_the_seed(seed_report):
    flagged = {i["sentence"] for i in seed_report["files"][0]["issues"]}
    assert flagged <= annotated_sentences(seed_report)


def test_role_reversal_in_the_seed_is_critical_with_the_intended_wording(seed_report):
    text = seed_report["files"][0]["text"]
    role = [i for i in seed_report["files"][0]["issues"] if i["text"] == "committed the crime"]
    assert role, "the victim-as-perpetrator garble was not flagged"
    assert role[0]["severity"] == "critical" and role[0]["rule"] == "SI003"
    assert {"was murdered", "was killed"} & set(role[0]["suggestions"])
    assert "convinced he was" in role[0]["intended"]
    assert text[role[0]["start"]:role[0]["end"]] == "committed the crime"


def test_grammar_and_inversion_run_together_by_default(project, lt_url):
    (project / "a.txt").write_text(
        "The singer was found dead in a hotel room. Detectives said there was no sign of the foul.\n\n"
        "He go to the police station every day.\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "a.txt", "--lt-server", lt_url, "--no-cache", "-f", "json"])
    rules = {i["rule"] for i in json.loads(result.stdout)["files"][0]["issues"]}
    assert "GR002" in rules and "SI005" in rules
    only_grammar = runner.invoke(app, ["check", "a.txt", "--lt-server", lt_url, "--no-cache", "-f", "json",
                                       "--ignore", "SI"])
    assert {i["rule"] for i in json.loads(only_grammar.stdout)["files"][0]["issues"]} & {"SI005"} == set()
