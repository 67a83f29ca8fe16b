"""Rule metadata and selection by code, name or prefix.

Each check family declares a RULES tuple; the registry is the immutable union of
them, built on first use by importing the family modules (cheap: heavy engines
load only when a family's check object is created).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from qa.checks import FAMILIES
from qa.issue import Category, Issue, Severity

EXPLANATION_SECTIONS = ("what", "why", "example", "fix")
_CODE_RE = re.compile(r"^[A-Z]{2}\d{3}$")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    category: Category
    severity: Severity
    confidence: float  # default confidence for fixed-prior rules
    summary: str
    explanation: Mapping[str, str] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    def issue(self, **fields: Any) -> Issue:
        """Create an Issue carrying this rule's identity and defaults."""
        fields.setdefault("category", self.category)
        fields.setdefault("severity", self.severity)
        fields.setdefault("confidence", self.confidence)
        return Issue(rule=self.code, name=self.name, family=self.family, **fields)

    def doc(self) -> str:
        parts = [f"{self.code} {self.name}", "",
                 f"category: {self.category}    default severity: {self.severity}",
                 "", self.summary]
        for section in EXPLANATION_SECTIONS:
            if section in self.explanation:
                parts += ["", section.capitalize(), self.explanation[section].strip()]
        return "\n".join(parts)


class UnknownSelector(ValueError):
    pass


@cache
def all_rules() -> Mapping[str, Rule]:
    rules: dict[str, Rule] = {}
    for module_name in FAMILIES.values():
        for rule in importlib.import_module(module_name).RULES:
            if rule.code in rules:
                raise RuntimeError(f"duplicate rule code {rule.code}")
            rules[rule.code] = rule
    return MappingProxyType(rules)


def get_rule(code_or_name: str) -> Rule:
    rules = all_rules()
    key = code_or_name.strip()
    if key.upper() in rules:
        return rules[key.upper()]
    for rule in rules.values():
        if rule.name == key:
            return rule
    raise UnknownSelector(f"unknown rule {code_or_name!r}; see `qa rules`")


def matches(rule: Rule, selector: str) -> bool:
    """A selector is a code, a code prefix ("GR", "SI00"), a name, a family or a name prefix."""
    if selector.upper() == "ALL":
        return True
    if rule.code.startswith(selector.upper()):
        return True
    return rule.name == selector or rule.name.startswith(selector + ".") or rule.family == selector


def validate_selectors(selectors: Iterable[str]) -> None:
    rules = all_rules().values()
    for selector in selectors:
        if not any(matches(rule, selector) for rule in rules):
            raise UnknownSelector(f"selector {selector!r} matches no rule; see `qa rules`")


def enabled_rules(select: Iterable[str], ignore: Iterable[str]) -> frozenset[str]:
    select, ignore = list(select), list(ignore)
    validate_selectors(select + ignore)
    return frozenset(
        rule.code for rule in all_rules().values()
        if (not select or any(matches(rule, s) for s in select))
        and not any(matches(rule, s) for s in ignore)
    )


def is_well_formed_code(code: str) -> bool:
    return bool(_CODE_RE.match(code))
