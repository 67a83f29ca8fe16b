"""The HTML report in real headless Chromium: loading, filters, keyboard, decisions, safety, scale."""

import json
import re

from qa.document import parse
from qa.formatters import get_formatter
from qa.issue import Category, Issue, Severity
from qa.report import FileResult, Report, Signature
from qa.runner import score_sentences

TEXT = ("Brexit talks\n\nHe go to the meeting 😀 late. Its a problem for they.\n\n"
        "The council met on Monday. Police said there was no evidence of the foul\n")
SOURCE = "Brexit-Gespräche\n\nEr geht zu spät zum Treffen. Das ist ein Problem für sie.\n\nDer Rat tagte am Montag.\n"
REFERENCE = "Brexit talks\n\nHe goes to the meeting late. It's a problem for them.\n"


def issue(text, doc, rule, name, category, severity, confidence, span, **fields):
    start = text.index(span)
    end = start + (len(span) if fields.pop("empty", False) is False else 0)
    if end == start:
        start = end = start + len(span)
    return Issue(rule, name, name.split(".")[0], category, severity, confidence, start, end,
                 doc.sentence_at(start), **fields)


def featured_report() -> Report:
    """Two files; overlapping spans, an empty span, an astral character, an inversion-like rule
    unknown to this registry, and a source and reference for the first file."""
    doc = parse(TEXT, "a.txt")
    g = Category.FLUENCY_GRAMMAR
    issues = sorted([
        issue(TEXT, doc, "GR002", "grammar.agreement", g, Severity.MAJOR, 0.85, "go",
              message="Agreement error", suggestions=("goes", "went"),
              evidence={"lt_rule": "HE_VERB_AGR"}),
        issue(TEXT, doc, "GR003", "grammar.confusion", g, Severity.MAJOR, 0.8, "Its",
              message="Did you mean it's?", suggestions=("It's",)),
        issue(TEXT, doc, "GR005", "grammar.style", Category.STYLE_AWKWARD, Severity.MINOR, 0.5,
              "a problem for they", message="Wordy"),
        issue(TEXT, doc, "GR006", "grammar.other", g, Severity.CRITICAL, 0.9, "they",
              message="Object pronoun expected", suggestions=("them",)),
        issue(TEXT, doc, "GR004", "grammar.punctuation", Category.FLUENCY_PUNCTUATION, Severity.MINOR,
              0.7, "of the foul", empty=True, message="Missing final punctuation", suggestions=(".",)),
        issue(TEXT, doc, "SI001", "inversion.polarity_flip", Category.ACCURACY_MISTRANSLATION,
              Severity.CRITICAL, 0.62, "no evidence", message="The sentence may say the opposite",
              intended="Police said there was evidence of the foul.",
              evidence={"similarity": 0.91, "classifier": 0.62, "model": "test-model"}),
    ], key=lambda i: (i.start, i.end, i.rule))
    first = FileResult("a.txt", TEXT, score_sentences(doc, issues), tuple(issues),
                       source=SOURCE, reference=REFERENCE)
    other_text = "Its late.\n"
    other = parse(other_text, "b.txt")
    b_issue = issue(other_text, other, "GR003", "grammar.confusion", g, Severity.MAJOR, 0.8, "Its",
                    message="Did you mean it's?")
    second = FileResult("b.txt", other_text, score_sentences(other, [b_issue]), (b_issue,))
    return Report(Signature("0.1.0", "en-US", "0123456789abcdef", "6.7"), (first, second))


def write(report, tmp_path, name="report.html"):
    path = tmp_path / name
    path.write_text(get_formatter("html")(report), encoding="utf-8")
    return path


def mark_texts(page):
    return page.eval_on_selector_all("#doc mark", "ms => ms.map(m => m.textContent)")


def wait_count(page, text):
    page.wait_for_function("t => document.getElementById('count').textContent === t", arg=text)


def test_page_loads_clean_and_shows_everything(page, tmp_path, artifacts):
    path = write(featured_report(), tmp_path)
    p = page.open(path)
    assert page.console == [] and page.csp_violations() == []
    assert page.requests == [path.resolve().as_uri()]  # nothing but the file itself
    assert page.count() == "7 of 7 issues shown"
    assert p.text_content("#files").startswith("a.txt")
    assert "2 files · 6 sentences · 29 words · 7 issues (2 critical, 3 major, 2 minor)" in p.text_content("#run-summary")
    # One score bar per sentence plus the file's; the zero-score sentence shows an empty bar.
    assert p.locator(".sent .bar").count() == 5
    assert "score" in p.text_content(".file-head .counts")
    assert "by category: accuracy/mistranslation 1" in p.text_content(".file-head")
    # Spans are highlighted, overlapping ones split, the empty one becomes a caret.
    assert mark_texts(p) == ["go", "Its", "a problem for ", "they", "no evidence", ""]
    assert p.get_attribute("#doc mark >> nth=3", "class").split()[:2] == ["critical", "overlap"]
    assert p.locator("#doc mark.caret").count() == 1
    # Side by side: the source and reference paragraphs beside the checked ones.
    heads = p.eval_on_selector_all(".col-head", "hs => hs.map(h => h.textContent)")
    assert heads == ["checked text", "source", "reference"]
    sides = p.eval_on_selector_all(".side", "ss => ss.map(s => s.textContent)")
    assert sides[:2] == ["Brexit-Gespräche", "Brexit talks"]
    assert "Er geht zu spät zum Treffen." in sides[2] and "(no paragraph 3)" in sides
    # Selecting an issue shows message, suggestions, intended wording, evidence and rule docs.
    p.click("#doc mark >> text=no evidence")
    detail = p.text_content("#detail")
    for expected in ("SI001 inversion.polarity_flip", "The sentence may say the opposite",
                     "confidence 0.62", "Police said there was evidence of the foul.",
                     "similarity", "0.91", "test-model", "Antonym and polarity flips"):
        assert expected in detail
    p.click("#doc mark >> text=go")
    detail = p.text_content("#detail")
    assert "a.txt:3:4" in detail and "goes" in detail and "HE_VERB_AGR" in detail
    assert "Subject-verb, determiner-noun or pronoun agreement error." in detail
    p.keyboard.press("Enter")  # opens the rule's full documentation
    assert p.locator("#rule-doc[open]").count() == 1 and "He go to school." in p.text_content("#rule-doc")
    shot = artifacts / "html-report.png"
    p.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert page.console == [] and page.csp_violations() == []


def test_filters_change_what_is_visible(page, tmp_path):
    p = page.open(write(featured_report(), tmp_path))
    p.uncheck("#f-minor")
    wait_count(p, "5 of 7 issues shown")
    assert mark_texts(p) == ["go", "Its", "they", "no evidence"]
    p.check("#f-minor")
    p.select_option("#f-category", "accuracy/mistranslation")
    wait_count(p, "1 of 7 issues shown")
    assert mark_texts(p) == ["no evidence"]
    p.select_option("#f-category", "")
    p.select_option("#f-rule", "GR003")
    wait_count(p, "2 of 7 issues shown")
    assert mark_texts(p) == ["Its"]
    assert "1 of 1 issues" in p.text_content("#files .file >> nth=1")
    p.select_option("#f-rule", "")
    p.eval_on_selector("#f-confidence", "e => { e.value = '0.8'; e.dispatchEvent(new Event('input')); }")
    wait_count(p, "4 of 7 issues shown")  # 0.85, 0.8, 0.9 and b.txt's 0.8; not 0.5, 0.62, 0.7
    assert mark_texts(p) == ["go", "Its", "they"]
    assert p.text_content("#f-confidence-value") == "0.80"
    p.eval_on_selector("#f-confidence", "e => { e.value = '0'; e.dispatchEvent(new Event('input')); }")
    p.fill("#f-search", "OPPOSITE")  # search is case-insensitive and covers messages
    wait_count(p, "1 of 7 issues shown")
    assert mark_texts(p) == ["no evidence"]
    p.fill("#f-search", "")
    wait_count(p, "7 of 7 issues shown")
    p.fill("#f-search", "goes")  # ... and suggestions
    wait_count(p, "1 of 7 issues shown")
    assert mark_texts(p) == ["go"]
    p.fill("#f-search", "")
    wait_count(p, "7 of 7 issues shown")
    p.check("#f-flagged")  # only sentences with a shown issue: the headline and "The council..." go
    assert p.locator(".sent").count() == 3
    assert page.console == []


def test_keyboard_navigation_and_decisions(page, tmp_path):
    p = page.open(write(featured_report(), tmp_path))
    selected = lambda: p.eval_on_selector_all("#doc mark.selected", "ms => ms.map(m => m.textContent)")
    p.keyboard.press("j")
    assert selected() == ["go"] and "GR002" in p.text_content("#detail h3")
    p.keyboard.press("j")
    p.keyboard.press("ArrowDown")
    assert selected() == ["a problem for ", "they"]  # GR005 spans both pieces
    p.keyboard.press("k")
    assert selected() == ["Its"]
    p.keyboard.press("d")
    assert p.get_attribute("#doc mark >> text=Its", "class").split().count("dismissed") == 1
    assert "dismissed" in p.text_content("#detail .decision")
    assert p.text_content("#export") == "Export baseline (1 dismissed)"
    p.keyboard.press("a")
    assert "accepted" in p.get_attribute("#doc mark >> text=Its", "class").split()
    assert p.text_content("#export") == "Export baseline (0 dismissed)"
    p.keyboard.press("u")
    assert p.text_content("#detail .decision .state") == "open"
    p.keyboard.press("d")
    p.select_option("#f-status", "dismiss")
    wait_count(p, "1 of 7 issues shown")
    p.select_option("#f-status", "open")
    wait_count(p, "6 of 7 issues shown")
    p.select_option("#f-status", "")
    p.keyboard.press("Escape")
    assert selected() == [] and "Select a highlighted span" in p.text_content("#detail")
    p.keyboard.press("n")  # next file
    assert p.text_content(".file-head h2") == "b.txt"
    p.keyboard.press("j")
    assert selected() == ["Its"] and "b.txt:1:1" in p.text_content("#detail")
    p.keyboard.press("/")
    assert p.evaluate("document.activeElement.id") == "f-search"
    p.keyboard.type("j")  # typing in the search box searches instead of navigating
    assert p.input_value("#f-search") == "j"
    wait_count(p, "1 of 7 issues shown")  # "Object pronoun expected"
    assert page.console == []


def run_qa(*args, cwd):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_dismiss_and_export_gives_a_baseline_that_qa_check_reads(page, project, lt_url):
    (project / "a.txt").write_text("The council met on Monday.\n\nHe go to the meeting late. Its a problem.\n")
    first = run_qa("check", "a.txt", "--lt-server", lt_url, "--select", "GR", "-f", "json", "-o", "before.json",
                   cwd=project)
    assert first.returncode == 1, first.stderr
    before = {i["text"]: i for i in json.loads((project / "before.json").read_text())["files"][0]["issues"]}
    assert {"go", "Its"} <= set(before)
    rendered = run_qa("report", "before.json", cwd=project)
    assert rendered.returncode == 0 and (project / "reports/before.html").exists()

    p = page.open(project / "reports/before.html")
    p.click("#doc mark >> text=go")
    p.keyboard.press("d")
    with p.expect_download() as download:
        p.click("#export")
    assert download.value.suggested_filename == "qa-baseline.json"
    download.value.save_as(project / "qa-baseline.json")
    baseline = json.loads((project / "qa-baseline.json").read_text())
    assert baseline == {"schema": "qa-baseline/1", "issues": [
        {"fingerprint": before["go"]["fingerprint"], "rule": "GR002", "path": "a.txt", "text": "go"}]}
    assert page.console == []

    after = run_qa("check", "a.txt", "--lt-server", lt_url, "--select", "GR", "-f", "json",
                   "--baseline", "qa-baseline.json", cwd=project)
    result = json.loads(after.stdout)["files"][0]
    assert "go" not in {i["text"] for i in result["issues"]}
    assert "Its" in {i["text"] for i in result["issues"]}
    assert len(result["issues"]) == len(before) - 1
    assert after.returncode == 1  # GR003 "Its" is major and still reported


HOSTILE = ('<script>window.pwned=1</script> The council met on Monday.\n\n'
           '<img src=x onerror="window.pwned=1"> He go to the meeting.\n\n'
           '</textarea> Its a problem. </script><script>window.pwned=1</script> <!-- x\n')


def hostile_checks(p, page):
    assert p.evaluate("window.pwned") is None
    assert p.locator("body[data-ready='1']").count() == 1  # the page did not break
    assert p.evaluate("document.scripts.length") == 2  # the data blob and the page's own script
    assert p.locator("img, textarea, iframe").count() == 0
    shown = "".join(p.eval_on_selector_all(".stext", "ss => ss.map(s => s.textContent)"))
    for payload in ('<script>window.pwned=1</script>', '<img src=x onerror="window.pwned=1">',
                    '</textarea>', '</script><script>window.pwned=1</script>'):
        assert payload in shown
    assert page.console == [] and page.csp_violations() == []


def test_hostile_checked_text_stays_inert(page, project, lt_url):
    (project / "hostile.txt").write_text(HOSTILE)
    result = run_qa("check", "hostile.txt", "--lt-server", lt_url, "-f", "html", "-o", "h.html",
                    cwd=project)
    assert result.returncode in (0, 1), result.stderr
    p = page.open(project / "h.html")
    hostile_checks(p, page)
    assert p.locator("#doc mark").count() >= 1  # LanguageTool found something to highlight
    for _ in range(p.locator("#doc mark").count() + 1):  # open every issue's panel
        p.keyboard.press("j")
    hostile_checks(p, page)


def test_hostile_strings_in_every_field_stay_inert(page, tmp_path):
    evil = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=1"></textarea>'
    doc = parse(HOSTILE, evil)
    start = HOSTILE.index("<img")
    bad = Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR, 0.9,
                start, start + 10, doc.sentence_at(start), evil, (evil,), evil, {evil: evil})
    result = FileResult(evil, HOSTILE, score_sentences(doc, [bad]), (bad,), source=evil, reference=evil)
    report = Report(Signature("0.1.0", "en-US", "0123456789abcdef", evil, {evil: evil}), (result,), (evil,))
    p = page.open(write(report, tmp_path))
    p.keyboard.press("j")
    hostile_checks(p, page)
    assert evil in p.text_content("#detail") and evil in p.text_content(".side")
    assert evil in p.text_content("#run-summary") and p.text_content(".file-head h2") == evil


def test_csp_blocks_scripts_injected_into_the_page(page, tmp_path):
    p = page.open(write(featured_report(), tmp_path))
    errors = p.evaluate("""() => {
        const errors = [];
        const img = document.createElement('img');
        try { img.setAttribute('onerror', 'window.pwned = 1'); } catch (e) { errors.push(e.name); }
        img.src = 'x';  // no image may load: default-src 'none'
        document.body.append(img);
        try { document.body.insertAdjacentHTML('beforeend', '<b>x</b>'); } catch (e) { errors.push(e.name); }
        try { const s = document.createElement('script'); s.src = 'data:text/javascript,window.pwned=1';
              document.body.append(s); } catch (e) { errors.push(e.name); }
        return errors;
    }""")
    p.wait_for_timeout(300)
    assert errors == ["TypeError"] * 3  # Trusted Types: no inline handler, HTML string or script URL
    assert p.evaluate("window.pwned") is None
    directives = " ".join(page.csp_violations())
    assert "require-trusted-types-for" in directives and "img-src" in directives


def test_five_thousand_issues_stay_responsive(page, tmp_path, make_report):
    import time

    report = make_report(files=5, sentences=600, issues=1000)
    assert len(report.issues) == 5000
    path = write(report, tmp_path, "large.html")
    started = time.perf_counter()
    p = page.open(path, timeout=60_000)
    loaded = time.perf_counter() - started
    assert page.count() == "5000 of 5000 issues shown"
    marks = p.locator("#doc mark").count()
    assert 0 < marks < 1000  # one page of one file is in the DOM, not 5,000 marks
    assert "page 1 of 3" in p.text_content(".pager")
    minor = sum(1 for i in report.issues if i.severity == Severity.MINOR)
    started = time.perf_counter()
    p.uncheck("#f-minor")
    wait_count(p, f"{5000 - minor} of 5000 issues shown")
    filtered = time.perf_counter() - started
    p.check("#f-minor")
    p.fill("#f-search", "synthetic issue 900 on")  # one per file; file 0's is on page 3
    wait_count(p, "5 of 5000 issues shown")
    p.keyboard.press("Escape")
    p.keyboard.press("j")
    assert "page 3 of 3" in p.text_content(".pager")
    assert "Synthetic issue 900 on" in p.text_content("#detail .message")
    assert p.locator("#doc mark.selected").count() == 1
    p.keyboard.press("j")
    assert p.text_content(".file-head h2") == "doc01.txt"
    assert page.console == []
    print(f"\n5,000 issues: {path.stat().st_size / 1e6:.1f} MB, load {loaded:.2f} s, filter {filtered:.2f} s")


def test_files_that_failed_or_are_clean_render_plainly(page, tmp_path):
    clean_text = "The council met on Monday.\n"
    clean = FileResult("clean.txt", clean_text, score_sentences(parse(clean_text), []), ())
    broken = FileResult("broken.txt", error="broken.txt: not valid UTF-8 at byte offset 0 (invalid start byte)")
    report = Report(Signature("0.1.0", "en-US", "0123456789abcdef"), (broken, clean), ("engine hiccup",))
    p = page.open(write(report, tmp_path))
    assert page.count() == "0 of 0 issues shown"
    assert "not valid UTF-8 at byte offset 0" in p.text_content(".file-head .error")
    assert "not checked" in p.text_content("#files .file >> nth=0")
    assert "engine hiccup" in p.text_content("#run-summary")
    p.keyboard.press("j")  # nothing to go to
    assert p.locator("#doc mark").count() == 0 and "Select a highlighted span" in p.text_content("#detail")
    p.keyboard.press("n")
    assert p.text_content(".stext") == "The council met on Monday."
    assert p.get_attribute(".sent .bar", "aria-valuenow") == "100"
    assert page.console == [] and page.csp_violations() == []
