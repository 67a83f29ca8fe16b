"""The HTML formatter without a browser: embedding, CSP hashes, offsets, purity."""

import base64
import hashlib
import json
import re
from pathlib import Path

from qa.document import parse
from qa.formatters import get_formatter
from qa.formatters.html import embed_json, file_data, page_data, utf16_offsets
from qa.issue import Category, Issue, Severity
from qa.report import FileResult, Report, Signature
from qa.runner import score_sentences

TEMPLATES = Path(__file__).parents[2] / "qa/formatters/templates"
HOSTILE = "😀 He go </script><script>alert(1)</script> <!-- \u2028 & </SCRIPT >.\n\nSecond 𝔘 paragraph."


def report(text=HOSTILE, source=None):
    doc = parse(text, "a.txt")
    start = text.index("go")
    issues = [Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR,
                    0.85, start, start + 2, doc.sentence_at(start), "</script>", ("goes",)),
              Issue("SI001", "inversion.polarity_flip", "inversion", Category.ACCURACY_MISTRANSLATION,
                    Severity.CRITICAL, 0.6, text.index("paragraph"), len(text) - 1,
                    doc.sentence_at(text.index("paragraph")), "flip",
                    intended="x", evidence={"similarity": 0.9})]
    result = FileResult("a.txt", text, score_sentences(doc, issues), tuple(issues), source=source)
    return Report(Signature("0.1.0", "en-US", "0123456789abcdef", "6.7"), (result,))


def blob(html):
    match = re.search(r'<script type="application/json" id="qa-data">(.*?)</script>', html, re.S)
    return match.group(1)


def test_checked_text_cannot_close_the_data_element():
    html = get_formatter("html")(report())
    assert len(re.findall(r"</script", html, re.I)) == 2  # the data blob's and the page script's
    data = blob(html)
    assert not re.search("[<>&\u2028\u2029]", data)
    assert json.loads(data) == json.loads(json.dumps(page_data(report())))
    assert json.loads(data)["files"][0]["text"] == HOSTILE


def test_embed_json_escapes_markup_characters():
    assert embed_json({"t": "</script>&\u2028"}) == '{"t":"\\u003c/script\\u003e\\u0026\\u2028"}'


def test_csp_allows_exactly_the_inline_script_and_style():
    html = get_formatter("html")(report())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)

    def sha(text):
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == f"'{sha(script)}'"
    assert directives["style-src"] == f"'{sha(style)}'"
    assert directives["require-trusted-types-for"] == "'script'"
    assert "unsafe-inline" not in csp


def test_templates_reference_nothing_remote():
    for path in TEMPLATES.iterdir():
        text = path.read_text()
        assert not re.search(r"https?://|url\(|@import|innerHTML|outerHTML|insertAdjacentHTML|document\.write", text), path


def test_offsets_become_utf16_code_units():
    data = file_data(report().files[0])
    go = data["issues"][0]
    units = HOSTILE.encode("utf-16-le")
    assert units[go["start"] * 2:go["end"] * 2].decode("utf-16-le") == "go"
    assert go["start"] == HOSTILE.index("go") + 1  # one astral character before it
    start, end = data["sentences"][-1][:2]
    assert units[start * 2:end * 2].decode("utf-16-le") == "Second 𝔘 paragraph."
    assert data["sentences"][-1][3] == 1  # paragraph index
    shift = utf16_offsets("a😀b😀c")
    assert [shift(i) for i in range(6)] == [0, 1, 3, 4, 6, 7]


def test_page_data_carries_rule_docs_counts_and_parallel_paragraphs():
    data = page_data(report(source="Eins.\n\nZwei."))
    assert set(data["rules"]) == {"GR002", "SI001"}  # docs for the rules the report uses
    assert data["rules"]["GR002"]["explanation"]["example"].startswith("He go to school.")
    file = data["files"][0]
    assert file["by_severity"] == {"minor": 0, "major": 1, "critical": 1}
    assert file["by_category"] == {"accuracy/mistranslation": 1, "fluency/grammar": 1}
    assert file["source"] == ["Eins.", "Zwei."] and file["reference"] is None
    assert file["issues"][1]["intended"] == "x" and file["issues"][1]["fingerprint"]


def test_render_is_a_pure_function_of_the_report():
    assert get_formatter("html")(report()) == get_formatter("html")(report())
    assert get_formatter("html")(report()) != get_formatter("html")(report(source="Eins."))
