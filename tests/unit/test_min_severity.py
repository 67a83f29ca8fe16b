"""--min-severity / min_severity: what is shown; hidden issues count toward nothing."""

import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.config import ConfigError, load_config
from qa.issue import Category, Issue, Severity
from qa.runner import filter_issues


def issue(rule, severity, confidence=0.9, start=0):
    return Issue(rule, "grammar.x", "grammar", Category.FLUENCY_GRAMMAR, severity, confidence,
                 start, start + 1, 0, "m")


def test_filter_uses_the_severity_after_overrides():
    issues = [issue("GR001", Severity.MINOR, start=0), issue("GR002", Severity.MAJOR, start=1),
              issue("GR003", Severity.MAJOR, start=2), issue("GR004", Severity.MINOR, 0.3, start=3)]
    enabled = frozenset({"GR001", "GR002", "GR003", "GR004"})
    kept = filter_issues(issues, enabled, {"GR001": Severity.CRITICAL, "GR003": Severity.MINOR}, 0.0,
                         Severity.MAJOR)
    assert [(i.rule, i.severity) for i in kept] == [("GR001", Severity.CRITICAL), ("GR002", Severity.MAJOR)]
    assert len(filter_issues(issues, enabled, {}, 0.0)) == 4  # default: minor shows everything
    assert [i.rule for i in filter_issues(issues, enabled, {}, 0.5, Severity.MINOR)] == ["GR001", "GR002", "GR003"]


def test_config_key_defaults_validates_and_yields_to_the_flag(tmp_path):
    (tmp_path / ".git").mkdir()
    assert load_config(tmp_path)["min_severity"] == "minor"
    (tmp_path / "qa.toml").write_text('min_severity = "major"\n')
    assert load_config(tmp_path)["min_severity"] == "major"
    assert load_config(tmp_path, overrides={"min_severity": "critical"})["min_severity"] == "critical"
    (tmp_path / "qa.toml").write_text('min_severity = "severe"\n')
    with pytest.raises(ConfigError, match=r"qa.toml: 'min_severity' must be minor, major or critical, got 'severe'"):
        load_config(tmp_path)


def test_bad_flag_value_is_a_usage_error(project):
    (project / "a.txt").write_text("Hello.")
    result = CliRunner().invoke(app, ["check", "a.txt", "--min-severity", "severe"])
    assert result.exit_code == 2 and "severe" in result.output
