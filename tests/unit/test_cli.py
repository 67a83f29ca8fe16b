"""CLI behaviour that needs no engine: usage errors, rules, explain, exit-code policy."""

import json

from typer.testing import CliRunner

from qa.cli import app, exit_code
from qa.issue import Category, Issue, Severity
from qa.report import FileResult, Report, Signature

runner = CliRunner()


def make_report(*severities, error=None):
    issues = tuple(Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, s, 0.9,
                         0, 2, 0, "m") for s in severities)
    return Report(Signature("0", "en-US", "0" * 16), (FileResult("a.txt", "He go.", (), issues, error),))


def test_exit_code_policy():
    assert exit_code(make_report(), "major") == 0
    assert exit_code(make_report(Severity.MINOR), "major") == 0
    assert exit_code(make_report(Severity.MINOR), "minor") == 1
    assert exit_code(make_report(Severity.CRITICAL), "major") == 1
    assert exit_code(make_report(Severity.CRITICAL), "never") == 0
    assert exit_code(make_report(Severity.CRITICAL, error="boom"), "major") == 3


def test_rules_lists_every_rule():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    assert "GR002  grammar.agreement" in result.output
    assert "fluency/spelling" in result.output


def test_explain_prints_documentation_and_rejects_unknown_codes():
    result = runner.invoke(app, ["explain", "GR002"])
    assert result.exit_code == 0 and "He go to school." in result.output and "Fix" in result.output
    assert runner.invoke(app, ["explain", "grammar.agreement"]).output == result.output
    bad = runner.invoke(app, ["explain", "ZZ999"])
    assert bad.exit_code == 2 and "unknown rule" in bad.output


def test_unknown_selector_is_a_usage_error(project):
    (project / "a.txt").write_text("Hello.")
    result = runner.invoke(app, ["check", "a.txt", "--select", "XX"])
    assert result.exit_code == 2 and "'XX' matches no rule" in result.output


def test_bad_config_key_is_a_usage_error_naming_file_and_key(project):
    (project / "qa.toml").write_text("colour = 'red'\n")
    (project / "a.txt").write_text("Hello.")
    result = runner.invoke(app, ["check", "a.txt"])
    assert result.exit_code == 2
    assert "qa.toml: unknown key 'colour'" in result.output


def test_bad_format_and_glob_are_usage_errors(project):
    assert runner.invoke(app, ["check", "x.txt", "--format", "pdf"]).exit_code == 2
    result = runner.invoke(app, ["check", "nothing/*.txt"])
    assert result.exit_code == 2 and "no files match" in result.output


def test_undecodable_file_exits_3_and_other_files_are_still_reported(project):
    (project / "good.txt").write_text("A fine sentence.\n\nAnother one.")
    (project / "bad.txt").write_bytes(b"ok \xc3\x28 no")
    (project / "empty.txt").write_text("")
    result = runner.invoke(app, ["check", "good.txt", "bad.txt", "empty.txt", "missing.txt",
                                 "--select", "TE", "--format", "json", "--output", "r.json"])
    assert result.exit_code == 3
    report = json.loads((project / "r.json").read_text())
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["bad.txt"]["error"] == "bad.txt: not valid UTF-8 at byte offset 3 (invalid continuation byte)"
    assert by_path["good.txt"]["error"] is None and len(by_path["good.txt"]["sentences"]) == 2
    assert by_path["empty.txt"]["error"] is None and by_path["empty.txt"]["sentences"] == []
    assert "cannot read file" in by_path["missing.txt"]["error"]
    assert "bad.txt: not valid UTF-8 at byte offset 3" in result.output  # also on stderr


def test_directories_are_searched_recursively_for_txt_and_md(project):
    (project / "docs" / "sub").mkdir(parents=True)
    (project / "docs" / "a.txt").write_text("One.")
    (project / "docs" / "sub" / "b.md").write_text("Two.")
    (project / "docs" / "c.py").write_text("x = 1")
    result = runner.invoke(app, ["check", "docs", "--select", "TE", "--format", "json"])
    assert result.exit_code == 0
    paths = [f["path"] for f in json.loads(result.stdout)["files"]]
    assert paths == ["docs/a.txt", "docs/sub/b.md"]


def test_missing_vocabulary_file_is_a_config_error(project):
    (project / "qa.toml").write_text('vocabulary = "words/accept.txt"\n')
    (project / "a.md").write_text("Hello.")
    result = runner.invoke(app, ["check", "a.md", "--select", "TE"])
    assert result.exit_code == 2
    assert "words/accept.txt: cannot read vocabulary file" in result.output


def test_bad_per_file_ignore_selector_is_a_config_error(project):
    (project / "qa.toml").write_text('[per_file_ignores]\n"*.md" = ["XX"]\n')
    (project / "a.md").write_text("Hello.")
    result = runner.invoke(app, ["check", "a.md", "--select", "TE"])
    assert result.exit_code == 2 and "[per_file_ignores] '*.md': selector 'XX' matches no rule" in result.output


def test_train_rejects_a_stage1_budget_outside_zero_to_one():
    result = runner.invoke(app, ["train", "inversion", "--budget", "1.5"])
    assert result.exit_code == 2 and "budget" in result.output


def test_eval_rejects_a_stage1_budget_outside_zero_to_one():
    result = runner.invoke(app, ["eval", "corpora/seed/seed.jsonl", "--budget", "1.5"])
    assert result.exit_code == 2 and "budget" in result.output


def test_a_model_card_lists_the_stage1_thresholds_of_other_budgets(tmp_path):
    import joblib

    from qa.inversion.card import write_card
    from qa.inversion.model import MODEL_PATH

    metadata = joblib.load(MODEL_PATH).metadata
    card = write_card({**metadata, "stage1_budgets": [1 - step / 100 for step in range(101)]},
                      tmp_path / "card.md").read_text()
    assert "(`[inversion] budget`, 0.01 to 1): 25% 0.750, 30% 0.700, 40% 0.600, 50% 0.500." in card


def test_a_file_that_is_not_an_inversion_model_is_a_clear_error(tmp_path):
    import joblib
    import pytest

    from qa.inversion.model import ModelError, load_model

    garbage = tmp_path / "garbage.joblib"
    garbage.write_bytes(b"not a model at all")
    with pytest.raises(ModelError, match=r"garbage\.joblib is not a qa inversion model"):
        load_model(garbage)
    foreign = tmp_path / "foreign.joblib"
    joblib.dump({"weights": [1, 2]}, foreign)
    with pytest.raises(ModelError, match=r"foreign\.joblib is not a qa inversion model \(it holds a dict\)"):
        load_model(foreign)


def test_a_model_card_rebuilds_with_the_budget_the_model_was_trained_with(tmp_path):
    import joblib

    from qa.inversion.card import write_card
    from qa.inversion.model import MODEL_PATH

    metadata = joblib.load(MODEL_PATH).metadata
    assert "qa train inversion\n" in write_card(metadata, tmp_path / "default.md").read_text()
    card = write_card({**metadata, "stage1_budget": 0.5}, tmp_path / "half.md").read_text()
    assert "qa train inversion --budget 0.5\n" in card and "at most 50% of clean sentences" in card


def test_a_model_card_rebuilds_in_the_precision_the_model_was_trained_in(tmp_path):
    import joblib

    from qa.inversion.card import write_card
    from qa.inversion.model import MODEL_PATH

    metadata = joblib.load(MODEL_PATH).metadata
    card = write_card({**metadata, "lm_precision": "float32"}, tmp_path / "f32.md").read_text()
    assert "&& QA_LM_FLOAT32=1 .venv/bin/qa train inversion\n" in card
    card = write_card({**metadata, "lm_precision": "bfloat16"}, tmp_path / "bf16.md").read_text()
    assert "&& .venv/bin/qa train inversion\n" in card
