"""Runs every example in tests/rules/cases/<CODE>.yml through the real engines."""

from pathlib import Path

import pytest
import yaml

from qa.config import load_config
from qa.document import parse
from qa.runner import Session

CASES = sorted((Path(__file__).parent / "cases").glob("*.yml"))


def load_cases():
    for path in CASES:
        data = yaml.safe_load(path.read_text("utf-8"))
        marks = [pytest.mark.integration] if data.get("integration") else []
        for n, case in enumerate(data["fail"]):
            yield pytest.param(data["rule"], case, True, marks=marks, id=f"{data['rule']}-fail-{n}")
        for n, case in enumerate(data["pass"]):
            yield pytest.param(data["rule"], case, False, marks=marks, id=f"{data['rule']}-pass-{n}")


@pytest.fixture(scope="module")
def sessions():
    cache = {}
    yield cache
    for session in cache.values():
        session.close()


@pytest.mark.parametrize("rule,case,should_fail", list(load_cases()))
def test_rule_case(rule, case, should_fail, sessions, lt_url, tmp_path_factory):
    family = rule[:2]
    overrides = {"select": [family], "lt_server": lt_url, **case.get("config", {})}
    key = repr(sorted(overrides.items()))
    if key not in sessions:
        sessions[key] = Session(load_config(tmp_path_factory.mktemp("cfg"), overrides=overrides))
    text = case["text"] if isinstance(case, dict) else case
    result = sessions[key].check_document(parse(text))
    hits = [i for i in result.issues if i.rule == rule]
    if not should_fail:
        assert hits == [], f"{rule} flagged a passing example: {[text[i.start:i.end] for i in hits]}"
        return
    assert hits, f"{rule} missed: {text!r} (got {[(i.rule, text[i.start:i.end]) for i in result.issues]})"
    if "span" in case:
        assert case["span"] in [text[i.start:i.end] for i in hits]
    if "suggestion" in case:
        assert any(case["suggestion"] in i.suggestions[:3] for i in hits)
    if "intended" in case:
        assert any(i.intended and case["intended"] in i.intended for i in hits)
    if "min_confidence" in case:
        assert max(i.confidence for i in hits) >= case["min_confidence"]
    if "severity" in case:
        assert any(str(i.severity) == case["severity"] for i in hits)
