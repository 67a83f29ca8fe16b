"""What the CI formats share: severity levels, columns in other units, worst-first order.

Severity levels (one table so every format maps the same way):

    qa severity   SARIF / GitHub / Checkstyle   reviewdog   GitLab Code Quality
    critical      error                         ERROR       critical
    major         error                         ERROR       major
    minor         warning                       WARNING     minor
    (file error)  error                         ERROR       blocker
"""

from __future__ import annotations

import re
from pathlib import PurePath
from urllib.parse import quote

from qa.issue import Issue, Severity
from qa.report import FileResult

ERROR_WARNING = {Severity.CRITICAL: "error", Severity.MAJOR: "error", Severity.MINOR: "warning"}

# XML 1.0 forbids these even as character references; they are no use in a CI log either.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def worst_first(issue: Issue) -> tuple[int, float]:
    """Sort key: most severe, then most confident first (stable for ties)."""
    return (-issue.severity.rank, -issue.confidence)


def utf16_position(result: FileResult, offset: int) -> tuple[int, int]:
    """1-based line and column counted in UTF-16 code units (SARIF's default columnKind)."""
    line, column = result.locate(offset)
    before = result.text[offset - column + 1:offset]
    return line, 1 + len(before.encode("utf-16-le", "surrogatepass")) // 2


def utf8_position(result: FileResult, offset: int) -> tuple[int, int]:
    """1-based line and column counted in UTF-8 bytes (reviewdog's unit)."""
    line, column = result.locate(offset)
    return line, 1 + len(result.text[offset - column + 1:offset].encode("utf-8", "surrogatepass"))


def span_text(result: FileResult, issue: Issue) -> str:
    return result.text[issue.start:issue.end]


def visible(text: str) -> str:
    """Control characters that XML 1.0 cannot carry (and a CI log should not) as visible \\xNN."""
    return _XML_INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                            else f"\\u{ord(m.group()):04x}", text)


def relative_uri(path: str) -> str:
    """A URI reference for a report path: relative paths stay relative, percent-encoded."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix(), safe="/")
