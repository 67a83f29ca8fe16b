"""The pre-commit hook and the CI recipes in the README stay valid and match the CLI."""

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from qa.cli import app

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def section(title):
    start = README.index(f"### {title}")
    return README[start:re.compile(r"\n##+ ").search(README, start + 1).start()]


def test_pre_commit_hook_runs_qa_check_on_text_files():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"]) == ("qa", "qa check", "python")
    assert hook["require_serial"] is True
    files = re.compile(hook["files"])
    assert files.search("docs/a.txt") and files.search("README.md") and not files.search("a.py")


def test_readme_github_workflow_uploads_the_sarif_that_qa_writes():
    block = re.search(r"```yaml\n(.*?)```", section("GitHub Actions with SARIF upload"), re.S).group(1)
    steps = yaml.safe_load(block)["jobs"]["qa"]["steps"]
    check = next(s["run"] for s in steps if "qa check" in s.get("run", ""))
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    output = re.search(r"--output (\S+)", check).group(1)
    assert "--format sarif" in check and upload["with"]["sarif_file"] == output
    assert upload["if"] == "always()"


def test_readme_gitlab_recipe_is_valid_yaml_reporting_code_quality():
    block = re.search(r"```yaml\n(.*?)```", section("GitLab Code Quality"), re.S).group(1)
    job = yaml.safe_load(block)["qa"]
    assert "--format gitlab --output gl-code-quality-report.json" in job["script"][0]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"


def test_every_option_the_readme_uses_exists():
    runner = CliRunner()
    helps = {command: runner.invoke(app, [command, "--help"]).output for command in ("check", "baseline")}
    used = re.findall(r"\bqa (check|baseline) ([^\n`|]*)", README)
    assert len(used) > 10
    for command, rest in used:
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+|-[fo])\b", rest):
            assert option in helps[command], f"qa {command} {rest}: {option} is not an option"
