"""SARIF 2.1.0: valid against the official OASIS schema, with exact locations and fingerprints."""

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from qa.formatters import get_formatter
from qa.registry import all_rules
from qa.report import Report

SCHEMA_PATH = Path(__file__).parents[1] / "fixtures" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def sarif(report):
    return json.loads(get_formatter("sarif")(report))


def validate(log):
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def results_by_text(log):
    return {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["properties"]["text"], r["partialFingerprints"]["qa/v1"].rsplit(":", 1)[1]): r
            for r in log["runs"][0]["results"]}


def test_schema_fixture_is_the_pinned_official_file():
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")


def test_output_validates_against_the_official_schema(report):
    validate(sarif(report))


def test_the_validator_rejects_a_broken_log(report):
    log = sarif(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="level"):
        validate(log)


def test_rules_come_from_the_registry(report):
    log = sarif(report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    registry = all_rules()
    assert [r["id"] for r in rules] == ["GR001", "GR002", "GR003", "GR004", "GR006"]
    for descriptor in rules:
        rule = registry[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert rule.explanation["what"].strip() in descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] == rule.doc()
        assert descriptor["properties"]["category"] == str(rule.category)
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels == {"GR001": "warning", "GR002": "error", "GR003": "error", "GR004": "warning",
                      "GR006": "error"}
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_columns_are_utf16_code_units_and_levels_follow_severity(report):
    log = sarif(report)
    assert log["runs"][0]["columnKind"] == "utf16CodeUnits"
    results = results_by_text(log)
    go = results["docs/guide.txt", "go", "1"]
    region = go["locations"][0]["physicalLocation"]["region"]
    # "The 😀 emoji team go": "go" is code point 18 but UTF-16 unit 19 (the emoji is two units).
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (2, 19, 2, 21)
    assert region["snippet"]["text"] == "go"
    assert go["level"] == "error"
    assert go["message"]["text"] == 'Use "goes" <not go> & it\'s 100% wrong,\nsee: line two'
    hear = results["notes/%C3%BCn%C3%AFcode%20notes.md", "hear", "1"]
    assert hear["locations"][0]["physicalLocation"]["region"]["startColumn"] == 18
    its = results["docs/guide.txt", "Its", "1"]
    assert its["level"] == "warning"
    assert its["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    multi = results["docs/guide.txt", "foul, but his family was convinced\nhe", "1"]
    region = multi["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (5, 42, 6, 3)
    context = multi["locations"][0]["physicalLocation"]["contextRegion"]
    assert context["snippet"]["text"].startswith("Police said") and context["endLine"] == 6


def test_properties_and_fixes(report):
    results = results_by_text(sarif(report))
    go = results["docs/guide.txt", "go", "1"]
    assert go["properties"]["confidence"] == 0.85
    assert go["properties"]["category"] == "fluency/grammar"
    assert go["properties"]["suggestions"] == ["goes", "went"]
    fix = go["fixes"][0]["artifactChanges"][0]
    assert fix["artifactLocation"]["uri"] == "docs/guide.txt"
    replacement = fix["replacements"][0]
    assert replacement["insertedContent"]["text"] == "goes"
    assert replacement["deletedRegion"] == {"startLine": 2, "startColumn": 19, "endLine": 2, "endColumn": 21}
    inverted = results["docs/guide.txt", "foul, but his family was convinced\nhe", "1"]
    assert inverted["properties"]["intended"].startswith("Police said there was no evidence of foul play")
    assert inverted["properties"]["evidence"] == {"similarity": 0.91, "lt_rule": "X_Y"}
    assert "fixes" not in inverted


def test_partial_fingerprints_are_the_issue_fingerprints_and_survive_moves(report, moved_report):
    log = sarif(report)
    notes = report.files[1]
    spelled = [r for r in log["runs"][0]["results"] if r["properties"]["text"] == "Anothr"]
    expected = notes.fingerprint(notes.issues[0])
    assert [r["partialFingerprints"]["qa/v1"] for r in spelled] == [f"{expected}:1", f"{expected}:2"]
    moved = sarif(moved_report)
    fingerprints = lambda log: [r["partialFingerprints"] for r in log["runs"][0]["results"]]
    assert fingerprints(moved) == fingerprints(log)
    starts = lambda log: [r["locations"][0]["physicalLocation"]["region"]["startLine"]
                          for r in log["runs"][0]["results"]]
    assert [s + 2 for s in starts(log)] == starts(moved)


def test_file_errors_are_notifications(report):
    invocation = sarif(report)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "not valid UTF-8" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.txt"


def test_a_rule_outside_the_registry_has_no_rule_index(report):
    guide = report.files[0]
    foreign = replace(guide.issues[0], rule="XX901", name="other.thing", family="other")
    changed = Report(report.signature, (replace(guide, issues=(foreign,)),))
    log = sarif(changed)
    validate(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "XX901" and "ruleIndex" not in result
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_absolute_paths_become_file_uris(report):
    guide = replace(report.files[0], path="/srv/docs/my guide.txt")
    log = sarif(Report(report.signature, (guide,)))
    validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "file:///srv/docs/my%20guide.txt"
