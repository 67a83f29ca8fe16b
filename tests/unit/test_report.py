import json
from pathlib import Path

import jsonschema

from qa.document import parse
from qa.formatters import get_formatter
from qa.issue import Category, Issue, Severity
from qa.report import Report, Signature
from qa.runner import filter_issues, score_sentences

SCHEMA = json.loads((Path(__file__).parents[2] / "qa/schemas/qa-report-1.schema.json").read_text())


def sample_report():
    from qa.report import FileResult

    doc = parse("Title line\nHe go home 😀. It is fine.\r\n\r\nIts late.")
    go = doc.text.index("go")
    its = doc.text.index("Its")
    issues = [
        Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR, 0.85,
              go, go + 2, doc.sentence_at(go), "Agreement error", ("goes", "went")),
        Issue("GR003", "grammar.confusion", "grammar", Category.FLUENCY_GRAMMAR, Severity.MINOR, 0.8,
              its, its + 3, doc.sentence_at(its), "Did you mean it's?", ("It's",)),
    ]
    result = FileResult("doc.txt", doc.text, score_sentences(doc, issues), tuple(issues))
    return Report(Signature("0.1.0", "en-US", "0123456789abcdef", "6.7", {}), (result,))


def test_json_report_validates_and_round_trips():
    report = sample_report()
    data = json.loads(get_formatter("json")(report))
    jsonschema.validate(data, SCHEMA)
    issue = data["files"][0]["issues"][0]
    assert (issue["line"], issue["column"], issue["text"]) == (2, 4, "go")
    assert data["files"][0]["issues"][1]["line"] == 4
    assert Report.from_dict(data).to_dict() == data


def test_sentence_and_file_scores():
    report = sample_report()
    result = report.files[0]
    scores = {s.index: s.score for s in result.sentences}
    assert scores[0] == 100.0                 # "Title line"
    assert scores[1] == 0.0                   # "He go home 😀." 3 words, one major (5)
    assert scores[2] == 100.0
    assert scores[3] == 50.0                  # "Its late." 2 words, one minor (1)
    assert result.score == round(100 * (1 - 6 / result.words), 2)


def test_text_format_groups_by_sentence_and_summarises():
    text = get_formatter("text")(sample_report())
    assert "doc.txt:2:4: GR002 major (0.85) grammar.agreement: Agreement error" in text
    assert "'go' -> 'goes' | 'went'" in text
    assert text.rstrip().splitlines()[-1].startswith("Checked 1 file, 4 sentences: 2 issues (0 critical, 1 major, 1 minor)")


def test_filter_applies_selection_confidence_and_overrides():
    issues = list(sample_report().files[0].issues)
    kept = filter_issues(issues, frozenset({"GR002", "GR003"}), {"GR003": Severity.CRITICAL}, 0.81)
    assert [(i.rule, i.severity) for i in kept] == [("GR002", Severity.MAJOR)]
    kept = filter_issues(issues, frozenset({"GR003"}), {"GR003": Severity.CRITICAL}, 0.0)
    assert [(i.rule, i.severity) for i in kept] == [("GR003", Severity.CRITICAL)]


def test_fingerprint_survives_moves_and_edits_elsewhere():
    from qa.suppress import fingerprint

    base = fingerprint("GR002", "He go home.", "go")
    assert fingerprint("GR002", "  He  go\nhome. ", "go") == base      # whitespace and line moves
    assert fingerprint("GR003", "He go home.", "go") != base            # other rule
    assert fingerprint("GR002", "He go to work.", "go") != base         # other sentence

    def report_for(text):
        from qa.report import FileResult

        doc = parse(text)
        go = text.index(" go ") + 1
        issue = Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR,
                      Severity.MAJOR, 0.85, go, go + 2, doc.sentence_at(go), "m")
        result = FileResult("a.txt", text, score_sentences(doc, [issue]), (issue,))
        return result.issue_dict(issue)

    original = report_for("Intro here.\n\nHe go home. Fine.")
    moved = report_for("A new first paragraph.\n\nIntro changed.\n\nHe go home. Fine.")
    assert moved["line"] != original["line"]
    assert moved["fingerprint"] == original["fingerprint"]
