"""Checkstyle XML: one <file> per file, one <error> per issue."""

import xml.etree.ElementTree as ET

from qa.formatters import get_formatter


def test_files_errors_and_severity_mapping(report):
    root = ET.fromstring(get_formatter("checkstyle")(report).encode("utf-8"))
    assert root.tag == "checkstyle"
    files = {f.get("name"): f.findall("error") for f in root.iter("file")}
    assert list(files) == ["docs/guide.txt", "notes/ünïcode notes.md", "bad.txt"]
    go = files["docs/guide.txt"][0]
    assert go.attrib == {
        "line": "2", "column": "18", "severity": "error", "source": "qa.GR002",
        "message": 'Use "goes" <not go> & it\'s 100% wrong,\nsee: line two '
                   "(grammar.agreement, confidence 0.85) Suggestions: goes | went"}
    assert [e.get("severity") for e in files["docs/guide.txt"]] == ["error", "warning", "warning", "error"]
    assert "\\x0b" in files["docs/guide.txt"][2].get("message")
    [bad] = files["bad.txt"]
    assert bad.get("severity") == "error" and bad.get("source") == "qa.error"
