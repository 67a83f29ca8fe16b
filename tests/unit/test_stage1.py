"""The cascade's selection: what the fast mode and thorough mode send to the LM's expensive stage."""

import numpy as np

from qa.inversion.candidates import Candidate
from qa.inversion.detector import Detector, Scored
from qa.inversion.features import CHEAP_FEATURES
from qa.inversion.model import InversionModel


class StageOneFromPrior:
    """Stands in for the stage-1 classifier: its score is the candidate's prior feature."""

    def predict_proba(self, cheap: np.ndarray) -> np.ndarray:
        prior = cheap[:, CHEAP_FEATURES.index("prior")]
        return np.column_stack([1 - prior, prior])


def detector(thorough: bool) -> Detector:
    found = Detector.__new__(Detector)  # no spaCy, no lexicon: only the selection is under test
    found.thorough = thorough
    found.model = InversionModel(StageOneFromPrior(), 0.5, None, 0.6, {"support": {"opposite:table": 100}})
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
