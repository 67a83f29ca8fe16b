"""Where a candidate reading first differs from the text (the LM probes that word there)."""

import re

import pytest

from qa.engines import lm
from qa.inversion.candidates import Candidate
from qa.inversion.features import probe


def candidate(sentence: str, span: str, replacement: str, occurrence: int = 0) -> Candidate:
    start = [m.start() for m in re.finditer(rf"\b{re.escape(span)}\b", sentence)][occurrence]
    return Candidate("polarity", "test", start, start + len(span), replacement, 0.5)


@pytest.mark.parametrize("sentence, span, replacement, word_at, word", [
    ("Sales rose after demand fell.", "rose", "fell", "rose", "fell"),
    ("A visa is required for short stays.", "is", "is not", "required", "not"),
    ("A visa is not required here.", "is not", "is", "not", "required"),
    ("He committed the crime, they said.", "committed the crime", "was murdered", "committed", "was"),
    ("The firm was sued by its customers.", "was sued by its customers", "was sued by its owners",
     "customers", "owners"),
])
def test_probe_is_the_first_word_that_differs(sentence, span, replacement, word_at, word):
    at, offered = probe(candidate(sentence, span, replacement), sentence)
    assert sentence[at:].startswith(word_at)
    assert offered == word


def test_probe_counts_words_from_the_span_not_from_the_sentence_start():
    sentence = "It is cold and it is not raining."
    at, offered = probe(candidate(sentence, "is", "is not", occurrence=0), sentence)
    assert at == sentence.index("cold") and offered == "not"


def test_lm_precision_can_be_forced_to_float32(monkeypatch):
    lm.precision.cache_clear()
    monkeypatch.setenv("QA_LM_FLOAT32", "1")
    try:
        assert lm.precision() == "float32"
    finally:
        lm.precision.cache_clear()


def test_a_reversed_opposite_shares_its_generator_group():
    from qa.inversion.features import source_group

    assert source_group("opposite:table:reverse") == "opposite:table"
    assert source_group("opposite:wordnet:reverse") == "opposite:wordnet"
    assert source_group("lexicon:truncated-idiom") == "lexicon"


def test_lm_evidence_splits_the_edited_words_from_the_words_after_them():
    from qa.engines.lm import Scored
    from qa.inversion.detector import _lm_scores
    from qa.inversion.features import model_features

    # "Lower costs hurt firms." vs "Higher costs hurt firms.": one token per word, ends as offsets.
    original = Scored((-1.0, -6.0, -2.0, -9.0, -3.0), (5, 11, 16, 22, 23))
    reading = Scored((-1.5, -6.0, -2.0, -4.0, -3.0), (6, 12, 17, 23, 24))
    values = model_features(_lm_scores(original, 0, 5), _lm_scores(reading, 0, 6), 0.0, 0.0)
    assert values["lm_edit"] == pytest.approx(-0.5)  # "Higher" is less likely in itself
    assert values["lm_after_edit"] == pytest.approx(5.0)  # but "hurt firms" fits it better
    assert values["lm_after_edit_best"] == pytest.approx(5.0)  # all of it from one token
    assert values["lm_sentence"] == pytest.approx(4.5)


def test_state_summary_is_the_last_token_and_the_mean_from_the_edit_on():
    import numpy as np

    states = np.arange(12, dtype=np.float32).reshape(4, 3)  # 4 tokens, 3 numbers each
    scored = lm.Scored((-1.0,) * 4, (3, 7, 12, 13), states)  # " Prices rose sharply."
    summary = scored.summary(from_char=8)  # the edit starts inside the third token
    assert summary.tolist() == [9, 10, 11, 7.5, 8.5, 9.5]
    assert scored.summary(0)[3:].tolist() == [4.5, 5.5, 6.5]


def test_lm_precision_stays_float32_when_bfloat16_is_not_clearly_faster(monkeypatch):
    # AVX512-BF16 without AMX: the flag is there, the speed is not.
    lm.precision.cache_clear()
    monkeypatch.delenv("QA_LM_FLOAT32", raising=False)
    monkeypatch.setattr(lm, "matmul_seconds", lambda dtype: {"float32": 1.0, "bfloat16": 0.9}[dtype])
    try:
        assert lm.precision() == "float32"
    finally:
        lm.precision.cache_clear()

