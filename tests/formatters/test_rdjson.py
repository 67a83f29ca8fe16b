"""reviewdog rdjson: UTF-8 byte columns, exclusive ends, suggestions replacing the span."""

import json

from qa.formatters import get_formatter


def test_diagnostics_have_byte_columns_codes_and_suggestions(report):
    out = json.loads(get_formatter("rdjson")(report))
    assert out["source"] == {"name": "qa"}
    diagnostics = out["diagnostics"]
    go = diagnostics[0]
    # "The 😀 emoji team go": 4 + 4 (emoji) + 12 bytes before "go".
    span = {"start": {"line": 2, "column": 21}, "end": {"line": 2, "column": 23}}
    assert go["location"] == {"path": "docs/guide.txt", "range": span}
    assert go["severity"] == "ERROR" and go["code"] == {"value": "GR002"}
    assert go["suggestions"] == [{"range": span, "text": "goes"}, {"range": span, "text": "went"}]
    assert go["message"].startswith('Use "goes" <not go> & it\'s 100% wrong,\nsee: line two')
    assert [d["severity"] for d in diagnostics] == ["ERROR", "WARNING", "WARNING", "ERROR", "WARNING",
                                                    "ERROR", "WARNING", "ERROR"]
    hear = diagnostics[5]
    assert hear["location"]["range"]["start"] == {"line": 2, "column": 20}  # "Anothr one 🎉 is "
    assert diagnostics[3]["location"]["range"]["end"] == {"line": 6, "column": 3}
    assert diagnostics[-1] == {"message": "bad.txt: not valid UTF-8 at byte offset 3 (invalid start byte)",
                               "location": {"path": "bad.txt"}, "severity": "ERROR",
                               "code": {"value": "qa-error"}}
