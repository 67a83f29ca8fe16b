"""Entity drift across a document: one name spelled two ways, or a name replaced by a
pronoun that now has nothing (or the wrong person) to point at."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Iterator, Sequence

from rapidfuzz.distance import Levenshtein
from spacy.tokens import Doc

from qa.inversion.candidates import Candidate

# Transliteration variants that MT round trips produce (Cyrillic, Arabic, Chinese names).
_SKELETON_RULES = [("kh", "h"), ("zh", "j"), ("tz", "c"), ("ts", "c"), ("ph", "f"), ("ck", "k"),
                   ("ks", "x"), ("ff", "v"), ("w", "v"), ("yu", "u"), ("iu", "u"), ("ya", "a"),
                   ("ia", "a"), ("ye", "e"), ("ie", "e"), ("y", "i"), ("j", "i"), ("ou", "u"),
                   ("q", "k"), ("c", "k")]
_FEMININE = (("", "a"), ("ski", "ska"), ("sky", "skaya"), ("in", "ina"), ("ov", "ova"), ("ev", "eva"))
NAME_RE = re.compile(r"^[A-Z][a-zà-ÿ'’-]{3,}$")


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    value = name.lower()
    for old, new in _SKELETON_RULES:
        value = value.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", value)


def is_variant(a: str, b: str) -> bool:
    """Same name in two spellings? Feminine and plural forms are different words, not drift."""
    la, lb = a.lower(), b.lower()
    if la == lb:
        return False
    for short, long_ in ((la, lb), (lb, la)):
        if any(short.endswith(m) and long_ == short[: len(short) - len(m)] + f for m, f in _FEMININE):
            return False
        if long_ in (short + "s", short + "es"):
            return False
    if skeleton(a) == skeleton(b):
        return True
    return la[0] == lb[0] and Levenshtein.distance(la, lb) <= 1


def name_variants(sentences: Sequence[Doc], allowed: frozenset[str] = frozenset()) -> Iterator[tuple[int, Candidate]]:
    """For each minority spelling of a name, a candidate with the majority spelling."""
    occurrences: dict[str, list[tuple[int, int]]] = {}
    for index, sent in enumerate(sentences):
        for token in sent:
            if token.pos_ == "PROPN" and NAME_RE.match(token.text) and token.text not in allowed \
                    and token.ent_type_ != "NORP":  # "Moldova"/"Moldovan" are two words, not drift
                occurrences.setdefault(token.text, []).append((index, token.idx))
    counts = Counter({name: len(places) for name, places in occurrences.items()})
    names = sorted(counts, key=lambda n: (-counts[n], min(occurrences[n])))
    for i, canonical in enumerate(names):
        for other in names[i + 1:]:
            # Cheap filter first: a long document has thousands of names, so millions of pairs.
            close = other[0].lower() == canonical[0].lower() and abs(len(other) - len(canonical)) <= 1
            if not (close or skeleton(canonical) == skeleton(other)) or not is_variant(canonical, other):
                continue
            ratio = counts[canonical] / counts[other]
            for index, offset in occurrences[other]:
                yield index, Candidate(
                    "entity", "entity:spelling", offset, offset + len(other), canonical,
                    0.5 if ratio > 1 else 0.3,
                    {"count_ratio": ratio, "edit_distance": Levenshtein.distance(canonical, other),
                     "same_skeleton": skeleton(canonical) == skeleton(other),
                     "other_first": min(occurrences[canonical]) < (index, offset)})


def dangling_pronouns(sentences: Sequence[Doc], window: int = 2) -> Iterator[tuple[int, Candidate]]:
    """An object pronoun with no earlier person to refer to, while a person is named later in
    the same sentence: the name was probably replaced by the pronoun."""
    for index, sent in enumerate(sentences):
        for token in sent:
            if token.lower_ not in ("him", "her") or token.dep_ not in ("dobj", "pobj", "dative"):
                continue
            later = [e for e in sent.ents if e.label_ == "PERSON" and e.start > token.i]
            if not later:
                continue
            subject = next((c for c in token.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            earlier_people = [e for e in sent.ents if e.label_ == "PERSON" and e.end <= token.i
                              and (subject is None or not (e.start <= subject.i < e.end))]
            earlier_people += [e for s in sentences[max(0, index - window):index] for e in s.ents
                               if e.label_ == "PERSON"]
            earlier_people += [t for s in sentences[max(0, index - window):index] for t in s
                               if t.lower_ in ("he", "him", "his", "she", "her")]
            if earlier_people:
                continue
            name = later[0][-1].text  # surname
            yield index, Candidate("entity", "entity:dangling-pronoun", token.idx, token.idx + len(token.text),
                                   name, 0.7, {"person": later[0].text})
