"""--format sarif: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

tool.driver.rules describes, from the registry, every rule that has a result.
Columns are UTF-16 code units (SARIF's default columnKind, which GitHub assumes),
converted from qa's code-point offsets.
partialFingerprints["qa/v1"] is the issue fingerprint (rule + normalised sentence
+ span text) plus ":n" for its n-th occurrence in the file, like GitHub's own
primaryLocationLineHash, so repeated identical sentences stay distinct alerts.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from qa.formatters.ci import ERROR_WARNING, relative_uri, span_text, utf16_position
from qa.issue import Issue
from qa.registry import EXPLANATION_SECTIONS, Rule, all_rules
from qa.report import FileResult, Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
MAX_FIXES = 3


def render(report: Report) -> str:
    registry = all_rules()
    used = sorted({issue.rule for issue in report.issues if issue.rule in registry})
    rules = [registry[code] for code in used]
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for result in report.files:
        seen: Counter[str] = Counter()
        for issue in result.issues:
            fingerprint = result.fingerprint(issue)
            seen[fingerprint] += 1
            results.append(sarif_result(result, issue, index.get(issue.rule),
                                        f"{fingerprint}:{seen[fingerprint]}"))
    signature = report.signature
    run = {
        "tool": {"driver": {"name": "qa", "version": signature.qa_version,
                            "semanticVersion": signature.qa_version,
                            "rules": [descriptor(rule) for rule in rules]}},
        "invocations": [{"executionSuccessful": not report.has_errors,
                         "toolExecutionNotifications": notifications(report)}],
        "columnKind": "utf16CodeUnits",
        "results": results,
        "properties": {"signature": signature.to_dict(), "score": report.summary()["score"]},
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def descriptor(rule: Rule) -> dict[str, Any]:
    sections = [(name, rule.explanation[name].strip()) for name in EXPLANATION_SECTIONS
                if name in rule.explanation]
    full = " ".join(text for name, text in sections if name in ("what", "why")) or rule.summary
    markdown = "\n\n".join([rule.summary] + [f"**{name.capitalize()}.** {text}" for name, text in sections])
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": rule.doc(), "markdown": markdown},
        "defaultConfiguration": {"level": ERROR_WARNING[rule.severity]},
        "properties": {"category": str(rule.category), "family": rule.family,
                       "severity": str(rule.severity), "tags": [rule.family, str(rule.category)]},
    }


def region(result: FileResult, start: int, end: int) -> dict[str, Any]:
    start_line, start_column = utf16_position(result, start)
    end_line, end_column = utf16_position(result, end)
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line,
            "endColumn": end_column, "snippet": {"text": result.text[start:end]}}


def sarif_result(result: FileResult, issue: Issue, rule_index: int | None,
                 fingerprint: str) -> dict[str, Any]:
    uri = relative_uri(result.path)
    location: dict[str, Any] = {"artifactLocation": {"uri": uri},
                                "region": region(result, issue.start, issue.end)}
    if issue.sentence < len(result.sentences):
        sentence = result.sentences[issue.sentence]
        # SARIF wants the context region to be a proper superset of the region.
        if (sentence.start, sentence.end) != (issue.start, issue.end) \
                and sentence.start <= issue.start and issue.end <= sentence.end:
            location["contextRegion"] = region(result, sentence.start, sentence.end)
    out: dict[str, Any] = {"ruleId": issue.rule}
    if rule_index is not None:
        out["ruleIndex"] = rule_index
    out.update({
        "level": ERROR_WARNING[issue.severity],
        "message": {"text": issue.message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"qa/v1": fingerprint},
        "properties": {"severity": str(issue.severity), "confidence": round(issue.confidence, 4),
                       "category": str(issue.category), "name": issue.name,
                       "text": span_text(result, issue), "suggestions": list(issue.suggestions),
                       "intended": issue.intended, "evidence": dict(issue.evidence)},
    })
    if issue.suggestions:
        deleted = {k: v for k, v in location["region"].items() if k != "snippet"}
        out["fixes"] = [{"description": {"text": f"Replace with {suggestion!r}"},
                         "artifactChanges": [{"artifactLocation": {"uri": uri},
                                              "replacements": [{"deletedRegion": deleted,
                                                                "insertedContent": {"text": suggestion}}]}]}
                        for suggestion in issue.suggestions[:MAX_FIXES]]
    return out


def notifications(report: Report) -> list[dict[str, Any]]:
    """Files that could not be checked, and run-level errors, as error notifications."""
    found = [{"level": "error", "message": {"text": result.error},
              "locations": [{"physicalLocation": {"artifactLocation": {"uri": relative_uri(result.path)}}}]}
             for result in report.files if result.error]
    return found + [{"level": "error", "message": {"text": error}} for error in report.errors]
