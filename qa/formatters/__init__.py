"""Output formats. Each formatter is a pure function: Report -> str."""

from __future__ import annotations

import importlib
from typing import Callable

from qa.report import Report

FORMATTERS = {
    "text": "qa.formatters.text",
    "json": "qa.formatters.json",
    "html": "qa.formatters.html",
}


def get_formatter(name: str) -> Callable[[Report], str]:
    return importlib.import_module(FORMATTERS[name]).render
