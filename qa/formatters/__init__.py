"""Output formats. Each formatter is a pure function: Report -> str."""

from __future__ import annotations

import importlib
from typing import Callable

from qa.report import Report

FORMATTERS = {
    "text": "qa.formatters.text",
    "json": "qa.formatters.json",
    "sarif": "qa.formatters.sarif",
    "junit": "qa.formatters.junit",
    "github": "qa.formatters.github",
    "rdjson": "qa.formatters.rdjson",
    "checkstyle": "qa.formatters.checkstyle",
    "gitlab": "qa.formatters.gitlab",
    "html": "qa.formatters.html",
}


def get_formatter(name: str) -> Callable[[Report], str]:
    return importlib.import_module(FORMATTERS[name]).render
