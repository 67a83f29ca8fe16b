"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright; no browser download."""

import random
import re
from pathlib import Path

import pytest

from qa.document import Document, Sentence
from qa.issue import Severity
from qa.registry import all_rules
from qa.report import FileResult, Report, Signature
from qa.runner import score_sentences

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
WORDS = ("the council met on Monday and approved a budget for next year while residents "
         "said they were worried about rising costs in the city").split()


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(
                    reason="/usr/bin/chromium is absent (Debian: apt-get install chromium; make setup does it)"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Page:
    """A Playwright page that records console messages, page errors, CSP violations and requests."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                             " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")

    def open(self, path: Path, timeout: float = 30_000):
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=timeout)
        return self.page

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__csp")

    def count(self) -> str:
        return self.page.text_content("#count")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    yield Page(context.new_page())
    context.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def synthetic_report(files: int, sentences: int, issues: int, seed: int = 0) -> Report:
    """A report built from Report objects: `issues` issues per file, spread over the sentences,
    cycling through every registered rule and severity."""
    rng = random.Random(seed)
    rules = list(all_rules().values())
    severities = list(Severity)
    results = []
    for f in range(files):
        parts, spans, paragraphs, position, para_start = [], [], [], 0, 0
        for s in range(sentences):
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
            spans.append((position, position + len(sentence), len(paragraphs)))
            separator = "\n\n" if s % 5 == 4 else " "
            parts.append(sentence + separator)
            position += len(sentence)
            if separator == "\n\n" or s == sentences - 1:
                paragraphs.append((para_start, position))
                para_start = position + len(separator)
            position += len(separator)
        text = "".join(parts)
        doc = Document(f"doc{f:02d}.txt", text, tuple(paragraphs),
                       tuple(Sentence(i, a, b, p) for i, (a, b, p) in enumerate(spans)))
        found = []
        for k in range(issues):
            index = k * sentences // issues
            start, end, _ = spans[index]
            words = list(re.finditer(r"\w+", text[start:end]))
            word = words[k % len(words)]
            rule = rules[k % len(rules)]
            found.append(rule.issue(
                severity=severities[k % 3], confidence=round(rng.uniform(0.3, 1.0), 2),
                start=start + word.start(), end=start + word.end(), sentence=index,
                message=f"Synthetic issue {k} on '{word.group()}'", suggestions=(word.group().upper(),),
                evidence={"synthetic": True, "n": k}))
        found.sort(key=lambda i: (i.start, i.end, i.rule))
        results.append(FileResult(doc.path, text, score_sentences(doc, found), tuple(found)))
    return Report(Signature("0.1.0", "en-US", "0123456789abcdef", "6.7"), tuple(results))


@pytest.fixture
def make_report():
    return synthetic_report
