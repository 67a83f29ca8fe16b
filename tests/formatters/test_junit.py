"""JUnit XML: one suite per file, one test case per sentence, strict-XML-parseable."""

import xml.etree.ElementTree as ET
from dataclasses import replace

from qa.formatters import get_formatter
from qa.report import Report

HOSTILE = 'Use "goes" <not go> & it\'s 100% wrong,\nsee: line two'


def junit(report):
    return ET.fromstring(get_formatter("junit")(report).encode("utf-8"))


def test_counts_per_file_and_in_total(report):
    root = junit(report)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("8", "5", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["docs/guide.txt", "notes/ünïcode notes.md", "bad.txt"]
    guide = suites["docs/guide.txt"]
    assert (guide.get("tests"), guide.get("failures"), guide.get("errors")) == ("4", "3", "0")
    assert guide.find("properties/property[@name='score']").get("value") == "45.16"
    names = [case.get("name") for case in guide.iter("testcase")]
    assert names[0] == "sentence 1 (line 1): Release notes 😀"
    assert names[3].startswith("sentence 4 (line 5): Police said") and names[3].endswith("…")


def test_failures_carry_every_issue_and_hostile_text_round_trips(report):
    root = junit(report)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    go = cases["sentence 2 (line 2): The 😀 emoji team go to the market."].find("failure")
    assert go.get("type") == "major"
    assert go.get("message") == f"GR002 major: {HOSTILE}"
    assert "docs/guide.txt:2:18: GR002 major (0.85) grammar.agreement" in go.text
    assert "'go' -> 'goes' | 'went'" in go.text
    both = cases['sentence 3 (line 3): Its 100% "fresh" & <cheap>.'].find("failure")
    assert both.get("type") == "minor"
    # XML 1.0 cannot carry \x0b or \x00 at all: they appear as visible escapes.
    assert both.get("message") == ("GR003 minor: Did you mean “it's”?; "
                                   "GR004 minor: Unpaired symbol\\x0b ‘<’ \\x00 seems odd")
    notes = [c for c in root.iter("testcase") if c.get("classname") == "notes/ünïcode notes.md"]
    worst_first = notes[1].find("failure")
    assert worst_first.get("type") == "major" and worst_first.get("message").startswith("GR003 major")
    assert notes[0].find("failure") is None


def test_file_and_run_errors_are_errors(report):
    root = junit(Report(report.signature, report.files, ("languagetool checks skipped: no java",)))
    assert root.get("errors") == "2"
    bad = [s for s in root.iter("testsuite") if s.get("name") == "bad.txt"][0]
    error = bad.find("testcase/error")
    assert error.get("message") == "bad.txt: not valid UTF-8 at byte offset 3 (invalid start byte)"
    run = [s for s in root.iter("testsuite") if s.get("name") == "qa run"][0]
    assert run.find("testcase/error").text == "languagetool checks skipped: no java"


def test_control_characters_in_paths_and_text_stay_well_formed(report):
    guide = replace(report.files[0], path="odd\x01name.txt")
    root = junit(Report(report.signature, (guide,)))
    assert root.find("testsuite").get("name") == "odd\\x01name.txt"


def test_issues_without_their_sentences_still_fail(report):
    guide = replace(report.files[0], sentences=())
    root = junit(Report(report.signature, (guide,)))
    [case] = root.iter("testcase")
    assert case.get("name") == "issues outside any sentence"
    assert case.find("failure").get("type") == "critical"
    assert case.find("failure").text.count("docs/guide.txt:") == 4
