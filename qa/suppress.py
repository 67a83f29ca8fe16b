"""Suppressions: inline ignore comments, per-file ignores, and baseline fingerprints.

Inline syntax (the same words in every format, only the comment differs):

    Markdown, HTML:  <!-- qa-ignore GR001 SI -->   the next block
                     <!-- qa-ignore -->            the next block, every rule
                     <!-- qa off --> ... <!-- qa on -->
    plain text:      # qa-ignore GR001 SI          (a line of its own) the next paragraph
                     # qa off   ...   # qa on

Codes are rule codes, names or prefixes (GR, SI00, grammar), separated by spaces
or commas. `qa off` with no `qa on` lasts to the end of the file.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

_DIRECTIVE_RE = re.compile(r"\s*qa(?:-ignore\b:?(?P<codes>.*)|\s+(?P<switch>off|on))\s*", re.S)
_PLAIN_RE = re.compile(r"^[ \t]*#[ \t]*(qa(?:-ignore\b[^\n]*|[ \t]+(?:off|on)[ \t]*))$", re.M)


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fingerprint(rule: str, sentence_text: str, span_text: str) -> str:
    """Stable across edits elsewhere in the file and lines moving: rule + normalised sentence + span."""
    key = "\x1f".join((rule, normalize(sentence_text), normalize(span_text)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


# --- inline suppressions ---------------------------------------------------------

def plain_directives(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, body) of each `# qa ...` line in plain text; these lines are not prose."""
    return tuple((m.start(), m.end(), m.group(1)) for m in _PLAIN_RE.finditer(text))


@dataclass(frozen=True, slots=True)
class Suppression:
    directive: str  # as written, for messages: "qa-ignore GR001"
    start: int  # offset of the comment, where notices point
    region: tuple[int, int]  # issues starting here are suppressed
    codes: tuple[str, ...]  # selectors; () means every rule

    def covers(self, issue, rules: Mapping) -> bool:
        if not self.region[0] <= issue.start < self.region[1]:
            return False
        if not self.codes:
            return True
        from qa.registry import matches

        rule = rules.get(issue.rule)
        return rule is not None and any(matches(rule, code) for code in self.codes)


def parse_suppressions(doc) -> tuple[list[Suppression], list]:
    """Suppressions from the document's comments, and notices for directives that cannot work."""
    from qa.document import Notice
    from qa.registry import all_rules, matches

    suppressions, notices, off = [], [], None
    starts = [start for start, _ in doc.paragraphs]
    for start, end, body in sorted(doc.comments):
        found = _DIRECTIVE_RE.fullmatch(body)
        if found is None:
            continue
        if found.group("switch") == "off":
            off = off or (start, end)
        elif found.group("switch") == "on":
            if off is None:
                notices.append(Notice("suppression", "'qa on' without a 'qa off' before it", start))
            else:
                suppressions.append(Suppression("qa off", off[0], (off[1], start), ()))
                off = None
        else:
            codes = tuple(c for c in re.split(r"[\s,]+", found.group("codes")) if c)
            for code in codes:
                if not any(matches(rule, code) for rule in all_rules().values()):
                    notices.append(Notice("suppression", f"unknown rule {code!r} in 'qa-ignore'", start))
            following = bisect_left(starts, end)
            if following == len(starts):
                notices.append(Notice("suppression", "'qa-ignore' has no block after it", start))
                continue
            directive = " ".join(("qa-ignore", *codes))
            suppressions.append(Suppression(directive, start, doc.paragraphs[following], codes))
    if off is not None:
        suppressions.append(Suppression("qa off", off[0], (off[1], len(doc.text)), ()))
    return suppressions, notices


def apply_suppressions(doc, issues: Sequence, enabled: Iterable[str], report_unused: bool):
    """(kept issues, notices): bad directives always, unused ones when report_unused.

    An issue is counted against the first suppression that covers it, so a suppression
    made redundant by another one is reported as unused too.
    """
    from qa.document import Notice
    from qa.registry import all_rules, matches

    rules = all_rules()
    suppressions, notices = parse_suppressions(doc)
    used = [0] * len(suppressions)
    kept = []
    for issue in issues:
        hit = next((n for n, s in enumerate(suppressions) if s.covers(issue, rules)), None)
        if hit is None:
            kept.append(issue)
        else:
            used[hit] += 1
    if report_unused:
        enabled_rules = [rules[code] for code in enabled]
        for suppression, count in zip(suppressions, used):
            # Codes of rules that did not run cannot be judged unused.
            judged = not suppression.codes or any(
                matches(rule, code) for code in suppression.codes for rule in enabled_rules)
            if count == 0 and judged:
                where = "before 'qa on'" if suppression.directive == "qa off" else "in the next block"
                notices.append(Notice("unused-suppression", f"unused suppression "
                                      f"'{suppression.directive}': no matching issue {where}",
                                      suppression.start))
    return kept, notices


# --- per-file ignores ------------------------------------------------------------

def per_file_selectors(path: str, patterns: Mapping[str, Sequence[str]], base: Path) -> list[str]:
    """Selectors ignored for path: globs are matched against the path relative to base.

    fnmatch-style: `*` also matches `/`, and a pattern without `/` also matches the
    file name alone (so "*.html" matches at any depth).
    """
    relative = Path(os.path.relpath(os.path.abspath(path), base)).as_posix()
    if relative.startswith("../"):
        return []
    name = relative.rsplit("/", 1)[-1]
    selected: list[str] = []
    for pattern, selectors in patterns.items():
        pattern = pattern.removeprefix("./")
        if fnmatch.fnmatchcase(relative, pattern) or ("/" not in pattern and fnmatch.fnmatchcase(name, pattern)):
            selected += selectors
    return selected
