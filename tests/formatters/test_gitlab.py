"""GitLab Code Quality: unique, stable fingerprints and GitLab's severity names."""

import json

from qa.formatters import get_formatter


def gitlab(report):
    return json.loads(get_formatter("gitlab")(report))


def test_entries_have_gitlab_fields(report):
    entries = gitlab(report)
    assert len(entries) == 8
    go = entries[0]
    assert go["check_name"] == "GR002" and go["severity"] == "major"
    assert go["location"] == {"path": "docs/guide.txt", "lines": {"begin": 2, "end": 2}}
    assert go["description"].startswith('GR002 grammar.agreement: Use "goes" <not go> & it\'s 100% wrong,\n')
    assert [e["severity"] for e in entries] == ["major", "minor", "minor", "critical", "minor", "major",
                                                "minor", "blocker"]
    assert entries[3]["location"]["lines"] == {"begin": 5, "end": 6}
    assert entries[-1]["location"]["path"] == "bad.txt" and entries[-1]["check_name"] == "qa-error"


def test_fingerprints_are_unique_and_survive_moves(report, moved_report):
    before, after = gitlab(report), gitlab(moved_report)
    fingerprints = [e["fingerprint"] for e in before]
    assert len(set(fingerprints)) == len(fingerprints)  # the repeated "Anothr" sentence included
    assert [e["fingerprint"] for e in after] == fingerprints
    assert [e["location"]["lines"]["begin"] for e in after[:-1]] == \
           [e["location"]["lines"]["begin"] + 2 for e in before[:-1]]
