"""Lexicons for candidate readings, loaded from corpora/lexicon/.

- garbles.yml: kinds of known MT garbles and inversions, each with spaCy Matcher
  patterns (lemmas, POS), the intended alternatives, a family and test sentences.
- antonyms_wordnet.tsv: single-word antonyms derived from WordNet 3.0.
- opposites.tsv: hand-written opposite events, states, roles and function words
  that WordNet lacks or buries in rare senses.
- paronyms.tsv: look-alike words from one root with different meanings
  (historic/historical, ingenious/ingenuous), read both ways.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FAMILIES = ("polarity", "negation", "role", "modality", "term", "entity")
MIN_WORDNET_TAG_COUNT = 5  # drop antonyms of senses almost never seen in tagged text
# Light verbs have so many senses that a WordNet antonym of one (miss/have, make/break)
# is almost never the flip a translator made; opposites.tsv can still list such pairs.
LIGHT_VERBS = frozenset({"be", "have", "do", "make", "take", "give", "get", "go", "come", "put", "set", "let"})


def lexicon_dir() -> Path:
    override = os.environ.get("QA_LEXICON_DIR")
    return Path(override) if override else Path(__file__).parents[2] / "corpora" / "lexicon"


@dataclass(frozen=True)
class GarbleEntry:
    """One instance of a garble kind: where it matches and what was probably meant."""

    id: str
    kind: str
    family: str
    pattern: tuple[dict[str, Any], ...]
    intended: tuple[str, ...]
    replace: tuple[int, int] | None = None  # token slice of the match to replace (default: all)
    not_next: frozenset[str] = frozenset()  # lowercase words that must not follow the match
    not_prev: frozenset[str] = frozenset()
    before: tuple[frozenset[str], int] | None = None  # one of these lemmas within N tokens before
    after: tuple[frozenset[str], int] | None = None
    prior: float = 0.7
    # A higher prior when one of these lemmas occurs in the sentence or the N before it.
    context_prior: tuple[frozenset[str], int, float] | None = None
    reverse: tuple[tuple[str, str], ...] = ()  # (clean phrase, garbled phrase) for perturbation
    tests: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Lexicon:
    garbles: dict[str, GarbleEntry]
    kinds: dict[str, dict[str, str]]  # kind id -> {family, description}
    opposites: dict[tuple[str, str], tuple[tuple[str, str, str], ...]]  # (lemma, pos) -> ((opposite, family, source))
    agents: frozenset[str]  # common nouns for people and organisations (role swaps need two of them)
    paronyms: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (word, pos) -> look-alikes

    def opposites_of(self, lemma: str, pos: str) -> tuple[tuple[str, str, str], ...]:
        return self.opposites.get((lemma.lower(), pos), ())

    def paronyms_of(self, word: str, pos: str) -> tuple[str, ...]:
        return self.paronyms.get((word.lower(), pos), ())


def lexicon_digest() -> str:
    """Changes whenever a lexicon file changes (part of the result-cache key)."""
    digest = hashlib.sha256()
    for path in sorted(lexicon_dir().glob("*")):
        if path.suffix in (".yml", ".tsv", ".txt"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def load_lexicon(directory: str | None = None) -> Lexicon:
    root = Path(directory) if directory else lexicon_dir()
    garbles, kinds = _load_garbles(root / "garbles.yml")
    agents = frozenset(line.strip().lower() for line in (root / "agents.txt").read_text("utf-8").splitlines()
                       if line.strip() and not line.startswith("#"))
    return Lexicon(garbles, kinds, _load_opposites(root), agents, _load_paronyms(root / "paronyms.tsv"))


def _load_garbles(path: Path) -> tuple[dict[str, GarbleEntry], dict[str, dict[str, str]]]:
    # libyaml's loader when PyYAML has it: the pure-Python one took 0.9 s of every run's start.
    data = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    entries: dict[str, GarbleEntry] = {}
    kinds: dict[str, dict[str, str]] = {}
    for kind in data["kinds"]:
        if kind["family"] not in FAMILIES:
            raise ValueError(f"{path}: kind {kind['id']!r} has unknown family {kind['family']!r}")
        kinds[kind["id"]] = {"family": kind["family"], "description": kind["description"].strip()}
        for n, entry in enumerate(kind["entries"]):
            entry_id = f"{kind['id']}/{entry.get('name', n)}"
            if entry_id in entries:
                raise ValueError(f"{path}: duplicate entry {entry_id}")
            entries[entry_id] = GarbleEntry(
                id=entry_id, kind=kind["id"], family=entry.get("family", kind["family"]),
                pattern=tuple(entry["pattern"]), intended=tuple(entry["intended"]),
                replace=tuple(entry["replace"]) if "replace" in entry else None,
                not_next=_words(entry.get("not_next", ()), f"{path}: {entry_id} not_next"),
                not_prev=_words(entry.get("not_prev", ()), f"{path}: {entry_id} not_prev"),
                before=_context(entry.get("before")), after=_context(entry.get("after")),
                prior=float(entry.get("prior", kind.get("prior", 0.7))),
                context_prior=_context_prior(entry.get("context_prior", kind.get("context_prior"))),
                reverse=tuple(tuple(pair) for pair in entry.get("reverse", ())),
                tests={"fail": list(entry.get("fail", ())), "pass": list(entry.get("pass", ()))})
    return entries, kinds


def _words(values: Any, where: str) -> frozenset[str]:
    if not all(isinstance(v, str) for v in values):  # YAML reads bare on/off/yes/no as booleans
        raise ValueError(f"{where}: quote every word (a bare on/off/yes/no is read as a boolean)")
    return frozenset(v.lower() for v in values)


def _context_prior(spec: dict[str, Any] | None) -> tuple[frozenset[str], int, float] | None:
    if not spec:
        return None
    return frozenset(w.lower() for w in spec["lemmas"]), int(spec.get("sentences", 2)), float(spec["prior"])


def _context(spec: dict[str, Any] | None) -> tuple[frozenset[str], int] | None:
    if not spec:
        return None
    return frozenset(w.lower() for w in spec["lemmas"]), int(spec.get("window", 5))


def _load_opposites(root: Path) -> dict[tuple[str, str], tuple[tuple[str, str, str], ...]]:
    table: dict[tuple[str, str], list[tuple[str, str, str]]] = {}

    def add(lemma: str, pos: str, other: str, family: str, source: str) -> None:
        options = table.setdefault((lemma, pos), [])
        if all(o[0] != other for o in options):
            options.append((other, family, source))

    with open(root / "opposites.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            for lemma in row["lemma"].split("|"):
                for other in row["opposite"].split("|"):
                    add(lemma, row["pos"], other, row["family"], "table")
                    # A one-way pair is still read backwards, with a lower prior: MT flips both ways.
                    reverse = "table" if row.get("symmetric", "yes") == "yes" else "table:reverse"
                    add(other, row["pos"], lemma, row["family"], reverse)
    with open(root / "antonyms_wordnet.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            light = row["pos"] == "VERB" and {row["lemma"], row["antonym"]} & LIGHT_VERBS
            if int(row["tag_count"]) >= MIN_WORDNET_TAG_COUNT and not row["antonym"].startswith("non") and not light:
                add(row["lemma"], row["pos"], row["antonym"], "polarity", "wordnet")
                add(row["antonym"], row["pos"], row["lemma"], "polarity", "wordnet:reverse")  # rarer word
    return {key: tuple(value) for key, value in table.items()}


def _load_paronyms(path: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    table: dict[tuple[str, str], list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            for word, other in ((row["word"], row["paronym"]), (row["paronym"], row["word"])):
                options = table.setdefault((word, row["pos"]), [])
                if other not in options:
                    options.append(other)
    return {key: tuple(value) for key, value in table.items()}
