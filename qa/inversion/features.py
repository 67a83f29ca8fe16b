"""Evidence for each candidate reading, in two stages.

Cheap features (every candidate): the lexicon prior, the generator, discourse and
contradiction cues in the surrounding sentences, and what one left-to-right LM
pass over the running text says at the edit: how surprising the written words
are there, and how much likelier the reading's first different word would be.
Model features (only for candidates that survive the cheap stage): surprisal
under the small causal LM given the preceding context, coherence with the
context from sentence embeddings, and `lm_state`: a linear probe's reading of how
the LM's hidden states change between the text and the reading (trained with the
classifier; see InversionModel.add_state_scores).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # spaCy and torch are slow to import; a fully cached run never needs them
    from qa.engines.lm import Reading
    from qa.inversion.candidates import Candidate

FAMILIES = ("polarity", "negation", "role", "modality", "term", "entity")
SOURCES = ("lexicon", "opposite:table", "opposite:wordnet", "negation:insert", "negation:remove",
           "voice", "frame", "entity:spelling", "entity:dangling-pronoun", "paronym")
CONTRAST = {"but", "however", "although", "though", "despite", "yet", "whereas", "while", "nevertheless",
            "instead", "contrary", "denied", "insisted"}
DEATH = {"dead", "died", "death", "killed", "murdered", "murder", "hanged", "body", "funeral", "slain",
         "shot", "corpse", "late", "drowned", "killing", "buried", "victim"}
NEGATION = {"not", "n't", "no", "never", "nobody", "nothing", "none", "neither", "nor", "without"}
_WORD_RE = re.compile(r"[a-z']+")

CHEAP_FEATURES = (
    "prior", *(f"family_{f}" for f in FAMILIES), *(f"source_{s}" for s in SOURCES),
    "span_words", "replacement_words", "candidates_in_sentence", "rank_in_sentence",
    "contrast_in_sentence", "contrast_before", "death_before", "death_in_sentence",
    "negation_in_sentence", "quote_in_sentence", "sentence_words", "first_sentence",
    "entity_count_ratio", "entity_edit_distance", "entity_same_skeleton",
    "read_first_gain", "read_span_surprise", "read_after_surprise",
)
MODEL_FEATURES = ("lm_sentence", "lm_sentence_per_token", "lm_edit", "lm_after_edit", "lm_after_edit_best",
                  "emb_context", "emb_next", "lm_state")


def words(text: str) -> set[str]:
    return set(_WORD_RE.findall(text.lower()))


def source_group(source: str) -> str:
    if source.startswith("lexicon:"):
        return "lexicon"
    if source.startswith("voice:"):
        return "voice"
    if source.startswith("frame:"):
        return "frame"
    if source.endswith(":reverse"):  # a one-way opposite read backwards
        return source.removesuffix(":reverse")
    return source


def cheap_features(candidate: Candidate, sentence: str, before: list[str], rank: int, count: int,
                   first: bool) -> dict[str, float]:
    sentence_words = words(sentence)
    before_words = words(" ".join(before))
    group = source_group(candidate.source)
    first_word = sentence.split(maxsplit=1)[0].lower().strip("“\"'") if sentence.strip() else ""
    values = {
        "prior": candidate.prior,
        **{f"family_{f}": float(candidate.family == f) for f in FAMILIES},
        **{f"source_{s}": float(group == s) for s in SOURCES},
        "span_words": len(sentence[candidate.start:candidate.end].split()),
        "replacement_words": len(candidate.replacement.split()),
        "candidates_in_sentence": count,
        "rank_in_sentence": rank,
        "contrast_in_sentence": float(bool(sentence_words & CONTRAST)),
        "contrast_before": float(first_word in CONTRAST or bool(words(before[-1]) & CONTRAST) if before else 0.0),
        "death_before": float(bool(before_words & DEATH)),
        "death_in_sentence": float(bool(sentence_words & DEATH)),
        "negation_in_sentence": float(bool(sentence_words & NEGATION)),
        "quote_in_sentence": float(any(q in sentence for q in "\"“”")),
        "sentence_words": len(sentence.split()),
        "first_sentence": float(first),
        "entity_count_ratio": float(candidate.info.get("count_ratio", 0.0)),
        "entity_edit_distance": float(candidate.info.get("edit_distance", 0.0)),
        "entity_same_skeleton": float(candidate.info.get("same_skeleton", False)),
    }
    return values


def probe(candidate: Candidate, sentence: str) -> tuple[int, str]:
    """Where the reading first differs from the text, word by word, and its word there
    ("was" -> "was not" differs at the word after "was", where the reading has "not")."""
    following = sentence[candidate.end:].split()
    written = sentence[candidate.start:candidate.end].split() + following
    offered = candidate.replacement.split() + following
    same = 0
    while same < min(len(written), len(offered)) - 1 and written[same].lower() == offered[same].lower():
        same += 1
    offset = candidate.start
    for word in written[:same]:
        offset = sentence.index(word, offset) + len(word)
    if same < len(written):
        offset = sentence.index(written[same], offset)
    return offset, offered[same] if same < len(offered) else ""


def reading_features(candidate: Candidate, reading: Reading, probe_at: int, probe_logprob: float | None
                     ) -> dict[str, float]:
    """Surprisal is relative to the sentence's mean, so long and short sentences compare."""
    surprisal = [-lp for lp in reading.logprobs]
    mean = sum(surprisal) / max(len(surprisal), 1)
    inside = [s for s, (a, b) in zip(surprisal, reading.spans) if b > candidate.start and a < candidate.end]
    after = [s for s, (a, _) in zip(surprisal, reading.spans) if a >= candidate.end]
    position = reading.token_at(probe_at)
    gain = 0.0 if probe_logprob is None or position is None else probe_logprob - reading.logprobs[position]
    return {
        "read_first_gain": gain,
        "read_span_surprise": (max(inside) - mean) if inside else 0.0,
        "read_after_surprise": (after[0] - mean) if after else 0.0,
    }


@dataclass(frozen=True)
class LMScores:
    sentence: float  # log-probability of the sentence's tokens given the preceding context
    per_token: float
    edit: float  # the same, counting only the edited words' tokens
    after_edit: tuple[float, ...]  # each token's log-probability after the edited words


def model_features(original: LMScores, candidate: LMScores, emb_context: float,
                   emb_next: float) -> dict[str, float]:
    """Positive values mean the candidate fits better than what was written. The words
    before the edit read the same in both; the edited words say how likely the reading
    is in itself ("higher" is commoner than "lower"); the words after it say whether the
    rest of the sentence agrees ("lower costs would *hurt* firms")."""
    # The text after the edit is the same in both versions, so its tokens pair up from the end.
    gains = [c - o for c, o in zip(reversed(candidate.after_edit), reversed(original.after_edit))]
    return {
        "lm_sentence": candidate.sentence - original.sentence,
        "lm_sentence_per_token": candidate.per_token - original.per_token,
        "lm_edit": candidate.edit - original.edit,
        "lm_after_edit": sum(candidate.after_edit) - sum(original.after_edit),
        "lm_after_edit_best": max(gains, default=0.0),
        "emb_context": emb_context,
        "emb_next": emb_next,
    }


def vector(values: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    return np.array([float(values.get(name, 0.0)) for name in names], dtype=np.float64)
