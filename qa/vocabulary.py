"""Project vocabulary: accepted words and names, and rejected terms with their preferred form.

Files are UTF-8, one entry a line; blank lines and lines starting with `#` are
skipped. An accepted entry with a capital letter matches exactly ("Lukashenko");
an all-lowercase entry matches in any case ("docstring", "Docstring"). A reject
line is `wrong -> preferred`, or just `wrong` when there is no single preferred form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from qa.config import ConfigError, QAConfig


@dataclass(frozen=True)
class Vocabulary:
    exact: frozenset[str] = frozenset()  # accepted entries with a capital letter
    folded: frozenset[str] = frozenset()  # accepted lowercase entries, matched case-insensitively
    rejected: Mapping[str, str] = field(default_factory=dict)  # wrong -> preferred ("" if none)

    def accepts(self, word: str) -> bool:
        word = word.strip()
        return word in self.exact or word.lower() in self.folded

    def __bool__(self) -> bool:
        return bool(self.exact or self.folded or self.rejected)


def load_vocabulary(config: QAConfig) -> Vocabulary:
    exact, folded = set(), set()
    accept = config.path("vocabulary")
    for _, entry in _entries(accept) if accept else ():
        (folded if entry == entry.lower() else exact).add(entry)
    rejected: dict[str, str] = {}
    reject = config.path("reject")
    for number, entry in _entries(reject) if reject else ():
        wrong, arrow, preferred = entry.partition("->")
        if not wrong.strip() or (arrow and not preferred.strip()):
            raise ConfigError(f"{reject}:{number}: expected 'wrong -> preferred', got {entry!r}")
        rejected[wrong.strip()] = preferred.strip()
    rejected.update({wrong: preferred for wrong, preferred in config["terms"].items()})
    return Vocabulary(frozenset(exact), frozenset(folded), rejected)


def _entries(path: Path) -> list[tuple[int, str]]:
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read vocabulary file ({error})") from None
    return [(n, line.strip()) for n, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")]
