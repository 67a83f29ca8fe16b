from qa.issue import Severity
from qa.scoring import mqm_score, penalty


def test_weights_and_normalisation():
    assert penalty([Severity.MINOR, Severity.MAJOR, Severity.CRITICAL]) == 16
    assert mqm_score(0, 20) == 100.0
    assert mqm_score(5, 20) == 75.0
    assert mqm_score(1, 100) == 99.0


def test_score_is_clamped_and_handles_zero_words():
    assert mqm_score(10, 4) == 0.0
    assert mqm_score(0, 0) == 100.0
    assert mqm_score(1, 0) == 0.0
