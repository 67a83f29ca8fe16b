"""MQM-style quality scores. Pure functions; the formula is documented in the README.

    score = 100 * max(0, 1 - penalty / words)
    penalty = sum of severity weights (minor 1, major 5, critical 10)

The same formula scores a sentence, a file and a run; words is the word count of
that unit (at least 1). Confidence filters issues but does not scale penalties,
so a score can always be explained by the issues listed beside it.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from qa.issue import Severity

WEIGHTS: Mapping[Severity, float] = {Severity.MINOR: 1.0, Severity.MAJOR: 5.0, Severity.CRITICAL: 10.0}


def penalty(severities: Iterable[Severity], weights: Mapping[Severity, float] = WEIGHTS) -> float:
    return float(sum(weights[Severity(s)] for s in severities))


def mqm_score(penalty_points: float, words: int) -> float:
    return round(100.0 * max(0.0, 1.0 - penalty_points / max(words, 1)), 2)
