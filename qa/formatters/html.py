"""--format html: one self-contained review page (inline CSS and JS, strict CSP, works offline).

The page is rendered by templates/report.js from a JSON data blob embedded in a
<script type="application/json"> element, so checked text only ever reaches the DOM
through textContent. The blob escapes <, >, & and U+2028/2029, so "</script>" in a
checked file cannot end the element. The CSP allows exactly the inline script and
style shipped here, by sha256 hash, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any, Callable

from qa.document import split_paragraphs
from qa.issue import Severity
from qa.registry import EXPLANATION_SECTIONS, all_rules
from qa.report import FileResult, Report

DATA_SCHEMA = "qa-html-data/1"
_PLACEHOLDER_RE = re.compile(r"\{\{(\w+)\}\}")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}


def render(report: Report) -> str:
    css, js = _template("report.css"), _template("report.js")
    csp = "; ".join([
        "default-src 'none'",
        f"script-src '{_sha256(js)}'",
        f"style-src '{_sha256(css)}'",
        "base-uri 'none'",
        "form-action 'none'",
        # Makes any string-to-HTML sink (innerHTML and friends) throw in Chromium.
        "require-trusted-types-for 'script'",
    ])
    summary = report.summary()
    title = (f"qa report: {summary['files']} file{'s' if summary['files'] != 1 else ''}, "
             f"{summary['issues']} issues")
    values = {"csp": html.escape(csp, quote=False), "title": html.escape(title), "css": css, "js": js,
              "data": embed_json(page_data(report))}
    # One pass, so nothing substituted (CSS, JS, data) is scanned for placeholders again.
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], _template("report.html"))


def embed_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' survive."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def page_data(report: Report) -> dict[str, Any]:
    files = [file_data(result) for result in report.files]
    codes = sorted({issue.rule for result in report.files for issue in result.issues})
    paths = json.dumps([result.path for result in report.files])
    return {"schema": DATA_SCHEMA, "signature": report.signature.to_dict(),
            # Decisions made in the page are kept in localStorage under this id, so a
            # re-rendered report of the same files keeps them.
            "id": hashlib.sha256(paths.encode("utf-8")).hexdigest()[:16],
            "summary": report.summary(), "rules": rule_docs(codes), "files": files,
            "severities": [s.value for s in Severity],
            "sections": list(EXPLANATION_SECTIONS)}


def rule_docs(codes: list[str]) -> dict[str, dict[str, Any]]:
    """Registry documentation for the rules in the report (unknown codes are left out)."""
    rules = all_rules()
    return {code: {"name": rules[code].name, "category": str(rules[code].category),
                   "severity": str(rules[code].severity), "summary": rules[code].summary,
                   "explanation": dict(rules[code].explanation)}
            for code in codes if code in rules}


def file_data(result: FileResult) -> dict[str, Any]:
    """One file for the page, with every offset converted to UTF-16 code units (JS strings)."""
    u16 = utf16_offsets(result.text)
    paragraphs = split_paragraphs(result.text)
    paragraph_starts = [start for start, _ in paragraphs]
    issues = []
    for issue in sorted(result.issues, key=lambda i: (i.start, i.end, i.rule)):
        data = result.issue_dict(issue)
        data["start"], data["end"] = u16(issue.start), u16(issue.end)
        issues.append(data)
    return {
        "path": result.path, "error": result.error, "score": result.score, "words": result.words,
        "by_severity": {s.value: sum(1 for i in result.issues if i.severity == s) for s in Severity},
        "by_category": dict(sorted(Counter(str(i.category) for i in result.issues).items())),
        "text": result.text,
        "paragraphs": [[u16(start), u16(end)] for start, end in paragraphs],
        # [start, end, score, paragraph index]
        "sentences": [[u16(s.start), u16(s.end), s.score,
                       max(bisect_right(paragraph_starts, s.start) - 1, 0)] for s in result.sentences],
        "issues": issues,
        "source": parallel_data(result.source),
        "reference": parallel_data(result.reference),
    }


def parallel_data(text: str | None) -> list[str] | None:
    """A source or reference text as its paragraphs (aligned by position with the checked text)."""
    if text is None:
        return None
    return [text[start:end] for start, end in split_paragraphs(text)]


def utf16_offsets(text: str) -> Callable[[int], int]:
    """Map code-point offsets to UTF-16 offsets: each astral character before counts twice."""
    astral = [index for index, char in enumerate(text) if ord(char) > 0xFFFF]
    if not astral:
        return lambda offset: offset
    return lambda offset: offset + bisect_left(astral, offset)


@cache
def _template(name: str) -> str:
    return resources.files("qa.formatters").joinpath("templates", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
