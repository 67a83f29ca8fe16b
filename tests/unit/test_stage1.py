"""The cascade's selection: what the fast mode and thorough mode send to the LM's expensive stage."""

import numpy as np
import pytest

from qa.inversion.candidates import Candidate
from qa.inversion.detector import Detector, Scored
from qa.inversion.features import CHEAP_FEATURES
from qa.inversion.model import InversionModel, ModelError


class StageOneFromPrior:
    """Stands in for the stage-1 classifier: its score is the candidate's prior feature."""

    def predict_proba(self, cheap: np.ndarray) -> np.ndarray:
        prior = cheap[:, CHEAP_FEATURES.index("prior")]
        return np.column_stack([1 - prior, prior])


# Stage-1 thresholds per budget (0.00 to 1.00): a larger share of clean sentences, a lower threshold.
BUDGETS = [round(1 - step / 100, 2) for step in range(101)]


def detector(thorough: bool, budget: float | None = None) -> Detector:
    found = Detector.__new__(Detector)  # no spaCy, no lexicon: only the selection is under test
    found.thorough = thorough
    found.budget = budget
    found.model = InversionModel(StageOneFromPrior(), 0.5, None, 0.6,
                                 {"support": {"opposite:table": 100}, "stage1_budgets": BUDGETS})
    return found


def scored(start: int, end: int, replacement: str, score: float) -> Scored:
    candidate = Candidate("polarity", "opposite:table", start, end, replacement, score)
    return Scored(0, candidate, {name: 0.0 for name in CHEAP_FEATURES} | {"prior": score})


def sentence() -> list[Scored]:
    return [scored(0, 4, "fell", 0.9), scored(0, 4, "sank", 0.8),  # one span, two readings
            scored(10, 13, "for", 0.4), scored(20, 25, "lose", 0.3)]


def test_thorough_reads_each_sentence_best_two_spans_whatever_their_score():
    chosen = detector(thorough=True)._stage1([sentence()])[0]
    assert [(s.candidate.replacement, round(s.stage1, 2)) for s in chosen] == [("fell", 0.9), ("for", 0.4)]


def test_fast_mode_reads_the_thorough_readings_that_pass_stage1():
    thorough = detector(thorough=True)
    fast = detector(thorough=False)
    every = thorough._stage1([sentence()])[0]
    chosen = fast._stage1([sentence()])[0]
    assert [s.candidate.replacement for s in chosen] == ["fell"]
    assert [s.candidate.replacement for s in every if fast.passes_stage1(s)] == ["fell"]


def test_a_larger_budget_lowers_the_stage1_threshold_and_reads_more_spans():
    assert [s.candidate.replacement for s in detector(False, budget=0.5)._stage1([sentence()])[0]] == ["fell"]
    chosen = detector(False, budget=0.65)._stage1([sentence()])[0]  # threshold 0.35
    assert detector(False, budget=0.65).stage1_threshold == 0.35
    assert [s.candidate.replacement for s in chosen] == ["fell", "for"]


def test_the_budget_defaults_to_the_trained_threshold_and_must_be_in_the_table():
    model = detector(False).model
    assert model.stage1_threshold_for(None) == 0.5
    assert model.stage1_threshold_for(0.25) == 0.75 and model.stage1_threshold_for(1.0) == 0.0
    with pytest.raises(ModelError, match="must be above 0 and at most 1, got 1.5"):
        model.stage1_threshold_for(1.5)
    old = InversionModel(StageOneFromPrior(), 0.5, None, 0.6, {})
    assert old.stage1_threshold_for(None) == 0.5
    with pytest.raises(ModelError, match="no table of stage-1 budgets; retrain"):
        old.stage1_threshold_for(0.4)


def test_budget_thresholds_rank_clean_sentences_by_their_best_candidate():
    from types import SimpleNamespace

    from qa.inversion.train import budget_thresholds

    clean, perturbed = {"annotations": []}, {"annotations": [{"start": 0}]}
    text = SimpleNamespace(sentences=[0, 1, 2, 3])  # 4 clean sentences; sentence 3 has no candidate
    every, scores = [], []
    for record, sentence, score in [(clean, 0, 0.9), (clean, 0, 0.2), (clean, 1, 0.6), (clean, 2, 0.3),
                                    (perturbed, 0, 0.99)]:  # annotated records do not count
        every.append((record, text if record is clean else SimpleNamespace(sentences=[0]), {},
                      SimpleNamespace(sentence=sentence)))
        scores.append(score)
    # Best per clean sentence, ranked: 0.9, 0.6, 0.3. A budget's share of the 4 sentences (1 for a
    # quarter) is the count ranked above the threshold; the one at it passes too (>=).
    assert budget_thresholds(every, np.array(scores), [0.25, 0.5, 0.75, 1.0]) == [0.6, 0.3, 0.0, 0.0]
