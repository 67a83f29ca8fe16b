"""Automatic perturbations: clean paragraphs with one sentence inverted, the original kept as gold.

Perturbations come from the same families the detector looks for: opposite
words, negation, role swaps, modality frames, the reverse of lexicon garbles,
and name drift. Sampling picks a family first (uniformly among those a
paragraph offers) so rare families are not drowned by antonym swaps.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from qa.document import parse
from qa.inversion.candidates import Candidate, match_case

SOURCE_WEIGHT = {"opposite:wordnet": 0.3, "negation:insert": 1.0, "negation:remove": 1.0}
_NAME_VARIANTS = [("ov", "off"), ("ev", "yev"), ("iev", "yev"), ("v", "w"), ("ks", "x"), ("x", "ks"),
                  ("y", "i"), ("i", "y"), ("k", "c"), ("c", "k"), ("p", "f"), ("f", "p"), ("sh", "ch"),
                  ("ch", "sh"), ("ou", "u"), ("u", "ou"), ("ei", "ai"), ("ai", "ei"), ("kh", "h"), ("j", "y")]


@dataclass(frozen=True)
class Perturbation:
    text: str  # the perturbed paragraph
    start: int  # span of the changed words in the perturbed text
    end: int
    intended: str  # what those words said before
    family: str
    source: str


def read_paragraphs(path: Path) -> list[str]:
    return [p.strip() for p in path.read_text("utf-8").split("\n\n") if p.strip()]


def perturb(text: str, detector, rng: random.Random) -> Perturbation | None:
    doc = parse(text)
    sentences = list(detector.nlp.pipe([doc.sentence_text(i) for i in range(len(doc.sentences))]))
    options: dict[str, list[tuple[int, Candidate]]] = {}
    for index, sent in enumerate(sentences):
        for candidate in detector.generator.sentence_candidates(sent):
            options.setdefault(candidate.family, []).append((index, candidate))
    for index, candidate in _reverse_garbles(doc, detector.lexicon):
        options.setdefault(candidate.family, []).append((index, candidate))
    for index, candidate in _name_drift(sentences, rng):
        options.setdefault("entity", []).append((index, candidate))
    if not options:
        return None
    family = rng.choice(sorted(options))
    choices = options[family]
    weights = [SOURCE_WEIGHT.get(c.source, 1.0) * (3.0 if c.source.startswith("lexicon") else 1.0)
               for _, c in choices]
    index, candidate = rng.choices(choices, weights=weights)[0]
    sentence = doc.sentences[index]
    start = sentence.start + candidate.start
    end = sentence.start + candidate.end
    perturbed = text[:start] + candidate.replacement + text[end:]
    return Perturbation(perturbed, start, start + len(candidate.replacement), text[start:end],
                        candidate.family, candidate.source)


def _reverse_garbles(doc, lexicon) -> Iterator[tuple[int, Candidate]]:
    """Clean phrases that a lexicon entry knows a garbled form of."""
    for entry in lexicon.garbles.values():
        for clean, garbled in entry.reverse:
            for match in re.finditer(rf"\b{re.escape(clean)}\b", doc.text, flags=re.IGNORECASE):
                index = doc.sentence_at(match.start())
                offset = doc.sentences[index].start
                yield index, Candidate(entry.family, f"lexicon:{entry.kind}", match.start() - offset,
                                       match.end() - offset, match_case(match.group(), garbled), entry.prior)


def _name_drift(sentences, rng: random.Random) -> Iterator[tuple[int, Candidate]]:
    """A later mention of a repeated name in another transliteration."""
    seen: dict[str, int] = {}
    for index, sent in enumerate(sentences):
        for token in sent:
            if token.pos_ != "PROPN" or len(token.text) < 4 or not token.text[:1].isupper():
                continue
            if token.text in seen:
                variants = [token.text.replace(a, b, 1) for a, b in _NAME_VARIANTS if a in token.text[1:]]
                variants = [v for v in variants if v != token.text]
                if variants:
                    yield index, Candidate("entity", "entity:spelling", token.idx, token.idx + len(token.text),
                                           rng.choice(variants), 0.5)
            seen.setdefault(token.text, index)


def build_corpus(paragraph_files: list[Path], detector, seed: int, perturbed_share: float,
                 prefix: str) -> Iterator[dict]:
    """JSONL records (corpora/README.md): each paragraph is either perturbed or kept clean."""
    rng = random.Random(seed)
    for path in paragraph_files:
        domain = path.stem
        for n, text in enumerate(read_paragraphs(path)):
            record = {"id": f"{prefix}-{domain}-{n:04d}", "domain": domain, "text": text,
                      "source": "clean", "annotations": []}
            if rng.random() < perturbed_share:
                change = perturb(text, detector, rng)
                if change is not None:
                    record.update(text=change.text, source="perturbed", annotations=[{
                        "start": change.start, "end": change.end, "type": "inversion",
                        "family": change.family, "intended": change.intended,
                        "generator": change.source}])
            yield record


def garble_records(path: Path, split: str) -> Iterator[dict]:
    """Hand-annotated MT garbles; ids divisible by 3 are the dev split, the rest train."""
    for line in path.read_text("utf-8").splitlines():
        item = json.loads(line)
        number = int(item["id"].lstrip("g"))
        if (number % 3 == 0) != (split == "dev"):
            continue
        start = item["text"].index(item["wrong"])
        yield {"id": item["id"], "domain": item["domain"], "text": item["text"], "source": "garble",
               "annotations": [{"start": start, "end": start + len(item["wrong"]), "type": "inversion",
                                "family": item["family"], "intended": item["intended"]}]}
