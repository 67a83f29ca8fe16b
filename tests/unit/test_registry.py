from pathlib import Path

import pytest
import yaml

from qa.registry import EXPLANATION_SECTIONS, UnknownSelector, all_rules, enabled_rules, get_rule, is_well_formed_code

CASES = Path(__file__).parents[1] / "rules" / "cases"


def test_codes_are_unique_well_formed_and_names_family_first():
    rules = all_rules()
    assert len({r.name for r in rules.values()}) == len(rules)
    for code, rule in rules.items():
        assert is_well_formed_code(code)
        assert rule.name.startswith(rule.family + ".")
        assert 0 <= rule.confidence <= 1


def test_every_rule_is_documented():
    for rule in all_rules().values():
        assert set(EXPLANATION_SECTIONS) <= set(rule.explanation), rule.code
        assert rule.code in rule.doc() and rule.summary in rule.doc()


def test_every_rule_has_failing_and_passing_cases():
    for code in all_rules():
        data = yaml.safe_load((CASES / f"{code}.yml").read_text("utf-8"))
        assert data["fail"] and data["pass"], code


def test_selection_by_code_name_prefix_and_family():
    everything = set(all_rules())
    assert enabled_rules([], []) == everything
    assert enabled_rules(["GR001"], []) == {"GR001"}
    assert enabled_rules(["grammar.spelling"], []) == {"GR001"}
    assert enabled_rules(["grammar"], ["GR005", "grammar.style"]) == {c for c in everything if c.startswith("GR")} - {"GR005"}
    assert "GR001" not in enabled_rules([], ["GR"])
    assert get_rule("gr002").name == "grammar.agreement"


def test_unknown_selector_is_rejected():
    with pytest.raises(UnknownSelector, match="XX9"):
        enabled_rules(["XX9"], [])
