"""One shared Report that every formatter renders: several files, all severities, emoji,
multi-line spans, repeated sentences, a file error, and XML/JSON-hostile text."""

import pytest

from qa.document import parse
from qa.issue import Category, Issue, Severity
from qa.report import FileResult, Report, Signature
from qa.runner import score_sentences

GUIDE = ("Release notes 😀\n"
         "The 😀 emoji team go to the market.\r\n"
         "Its 100% \"fresh\" & <cheap>.\n"
         "\n"
         "Police said there was no evidence of the foul, but his family was convinced\n"
         "he committed the crime.\n")
NOTES = "Clean sentence here.\nAnothr one 🎉 is hear.\n\nAnothr one 🎉 is hear.\n"
HOSTILE = 'Use "goes" <not go> & it\'s 100% wrong,\nsee: line two'


def issue(doc, rule, name, category, severity, confidence, span, message, suggestions=(),
          occurrence=0, **extra):
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(span, start + 1)
    return Issue(rule, name, name.split(".")[0], category, severity, confidence, start,
                 start + len(span), doc.sentence_at(start), message, tuple(suggestions), **extra)


def file_result(path, text, make_issues):
    doc = parse(text, path)
    issues = sorted(make_issues(doc), key=lambda i: (i.start, i.end, i.rule))
    return FileResult(path, doc.text, score_sentences(doc, issues), tuple(issues))


def guide_issues(doc):
    return [
        issue(doc, "GR002", "grammar.agreement", Category.FLUENCY_GRAMMAR, Severity.MAJOR, 0.85,
              "go", HOSTILE, ("goes", "went")),
        issue(doc, "GR003", "grammar.confusion", Category.FLUENCY_GRAMMAR, Severity.MINOR, 0.8,
              "Its", "Did you mean “it's”?", ("It's",)),
        issue(doc, "GR004", "grammar.punctuation", Category.FLUENCY_PUNCTUATION, Severity.MINOR, 0.7,
              "<cheap>", "Unpaired symbol\x0b ‘<’ \x00 seems odd"),
        issue(doc, "GR006", "grammar.other", Category.FLUENCY_GRAMMAR, Severity.CRITICAL, 0.66,
              "foul, but his family was convinced\nhe", "Meaning looks inverted",
              intended="Police said there was no evidence of foul play, and his family was "
                       "convinced he did not commit the crime.",
              evidence={"similarity": 0.91, "lt_rule": "X_Y"}),
    ]


def notes_issues(doc):
    return [
        issue(doc, "GR001", "grammar.spelling", Category.FLUENCY_SPELLING, Severity.MINOR, 0.8,
              "Anothr", "Possible spelling mistake found.", ("Another",)),
        issue(doc, "GR001", "grammar.spelling", Category.FLUENCY_SPELLING, Severity.MINOR, 0.8,
              "Anothr", "Possible spelling mistake found.", ("Another",), occurrence=1),
        issue(doc, "GR003", "grammar.confusion", Category.FLUENCY_GRAMMAR, Severity.MAJOR, 0.8,
              "hear", "Did you mean “here”?", ("here",)),
    ]


def make_report(prefix=""):
    return Report(
        Signature("0.1.0", "en-US", "0123456789abcdef", "6.7", {}),
        (file_result("docs/guide.txt", prefix + GUIDE, guide_issues),
         file_result("notes/ünïcode notes.md", prefix + NOTES, notes_issues),
         FileResult("bad.txt", error="bad.txt: not valid UTF-8 at byte offset 3 (invalid start byte)")))


def pytest_collection_modifyitems(items):
    for item in items:
        if "/formatters/" in str(item.fspath):
            item.add_marker(pytest.mark.unit)


@pytest.fixture
def report():
    return make_report()


@pytest.fixture
def moved_report():
    """The same findings after a paragraph was added above them: lines and offsets move."""
    return make_report(prefix="A new first paragraph, added later.\n\n")
