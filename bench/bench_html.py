"""HTML report at scale: render time and size in Python, load and filter time in headless Chromium.

Usage: .venv/bin/python bench/bench_html.py [--issues 5000 20000] [--files 5] [--repeat 3]
The report is synthetic (real corpus paragraphs, every few words flagged, cycling through
every rule and severity), so it measures the page, not the checks. Browser numbers need
Debian's /usr/bin/chromium and Playwright; without them only the Python side is measured.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from qa.document import parse
from qa.formatters import get_formatter
from qa.issue import Severity
from qa.registry import all_rules
from qa.report import FileResult, Report, Signature
from qa.runner import score_sentences

ROOT = Path(__file__).parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build_report(total_issues: int, files: int) -> Report:
    paragraphs = []
    for path in sorted((ROOT / "corpora" / "paragraphs" / "train").glob("*.txt")):
        paragraphs += [p.strip() for p in path.read_text("utf-8").split("\n\n") if p.strip()]
    rules, severities = list(all_rules().values()), list(Severity)
    per_file, results, cursor = total_issues // files, [], 0
    for f in range(files):
        chosen, words = [], 0
        while words < per_file * 6:  # one issue every ~6 words
            chosen.append(paragraphs[cursor % len(paragraphs)])
            words += len(chosen[-1].split())
            cursor += 1
        doc = parse("\n\n".join(chosen) + "\n", f"doc{f:02d}.txt")
        spans = [m.span() for m in re.finditer(r"\w+", doc.text)]
        issues = []
        for k in range(per_file):
            start, end = spans[k * len(spans) // per_file]
            rule = rules[k % len(rules)]
            issues.append(rule.issue(severity=severities[k % 3], confidence=0.3 + 0.7 * (k % 10) / 9,
                                     start=start, end=end, sentence=doc.sentence_at(start),
                                     message=f"Issue {k}", suggestions=(doc.text[start:end].upper(),)))
        results.append(FileResult(doc.path, doc.text, score_sentences(doc, issues), tuple(issues)))
    return Report(Signature("0.1.0", "en-US", "0" * 16, "6.7"), tuple(results))


def browser_times(path: Path, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"load": [], "filter": [], "search": [], "next issue": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            started = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=120_000)
            times["load"].append(time.perf_counter() - started)
            before = page.text_content("#count")
            started = time.perf_counter()
            page.uncheck("#f-minor")
            page.wait_for_function("t => document.getElementById('count').textContent !== t", arg=before)
            times["filter"].append(time.perf_counter() - started)
            started = time.perf_counter()
            page.fill("#f-search", "issue 1")
            page.wait_for_function("() => /^\\d+ of/.test(document.getElementById('count').textContent)"
                                   " && document.getElementById('f-search').value === 'issue 1'"
                                   " && document.querySelector('#doc mark') !== null")
            times["search"].append(time.perf_counter() - started)
            page.keyboard.press("Escape")
            started = time.perf_counter()
            for _ in range(20):
                page.keyboard.press("j")
            page.wait_for_selector("#doc mark.selected")
            times["next issue"].append((time.perf_counter() - started) / 20)
            page.close()
        browser.close()
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    render = get_formatter("html")
    with tempfile.TemporaryDirectory() as tmp:
        for total in args.issues:
            report = build_report(total, args.files)
            started = time.perf_counter()
            html = render(report)
            rendered = time.perf_counter() - started
            path = Path(tmp) / f"report-{total}.html"
            path.write_text(html, encoding="utf-8")
            sentences = sum(len(f.sentences) for f in report.files)
            print(f"{len(report.issues):,} issues, {sentences:,} sentences, {args.files} files: "
                  f"render {rendered:.2f} s in Python, {len(html.encode()) / 1e6:.1f} MB")
            if not CHROMIUM.exists():
                print("  (no /usr/bin/chromium: browser timings skipped)")
                continue
            for name, seconds in browser_times(path, args.repeat).items():
                print(f"  {name:<11} {seconds * 1000:8.0f} ms  (median of {args.repeat})")


if __name__ == "__main__":
    main()
