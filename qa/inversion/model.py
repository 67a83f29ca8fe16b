"""The trained inversion classifier: a cheap stage-1 filter and a calibrated stage-2 model."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from qa.engines import EngineUnavailable
from qa.inversion.features import CHEAP_FEATURES, MODEL_FEATURES, vector

MODEL_DIR = Path(__file__).parent / "trained"
MODEL_PATH = MODEL_DIR / "inversion.joblib"
MIN_SUPPORT = 20  # gold readings a generator needs in training before the classifier judges it


class ModelError(EngineUnavailable):
    pass


@dataclass
class InversionModel:
    stage1: Any  # sklearn classifier on cheap features
    stage1_threshold: float
    stage2: Any  # CalibratedClassifierCV over cheap + model features + stage-1 score
    threshold: float  # default decision threshold on the calibrated probability
    metadata: dict[str, Any] = field(default_factory=dict)
    state_probe: Any = None  # linear model on Scored.state: how the LM's hidden states move with the edit

    def stage1_scores(self, cheap: np.ndarray) -> np.ndarray:
        return self.stage1.predict_proba(cheap)[:, 1]

    def stage1_threshold_for(self, budget: float | None) -> float:
        """The stage-1 threshold that sends `budget` of clean sentences (0.01 to 1, in steps of
        0.01) to the expensive stage, from the training's cross-validated scores; None: the
        budget the model was trained with."""
        if budget is None:
            return self.stage1_threshold
        table = self.metadata.get("stage1_budgets")
        if not table:
            raise ModelError("this inversion model has no table of stage-1 budgets; "
                             "retrain it with `qa train inversion` to choose a budget")
        if not 0.0 < budget <= 1.0:
            raise ModelError(f"the stage-1 budget must be above 0 and at most 1, got {budget:g}")
        return threshold_for_budget(table, budget)

    @staticmethod
    def stage2_matrix(items: Sequence) -> np.ndarray:
        return np.array([np.concatenate([vector(i.cheap, CHEAP_FEATURES), vector(i.model or {}, MODEL_FEATURES),
                                         [i.stage1]]) for i in items])

    def supported(self, source: str) -> bool:
        """Enough gold readings from this generator (or lexicon kind) in training for the
        classifier to judge it?"""
        return self.metadata.get("support", {}).get(source, 0) >= MIN_SUPPORT

    def add_state_scores(self, items: Sequence) -> None:
        """The probe's score becomes the model feature lm_state: the hidden states show more than
        scalar surprisal does (it raised the CV F1 from 0.740 to 0.755)."""
        with_state = [i for i in items if i.state is not None]
        if with_state and self.state_probe is not None:
            scores = self.state_probe.decision_function(np.stack([i.state for i in with_state]))
            for item, score in zip(with_state, scores):
                item.model["lm_state"] = float(score)

    def probabilities(self, items: Sequence) -> np.ndarray:
        """Calibrated classifier output; rare rule-based generators the classifier never learned
        (too few gold readings in training) keep their documented prior."""
        self.add_state_scores(items)
        p = self.stage2.predict_proba(self.stage2_matrix(items))[:, 1]
        return np.array([value if self.supported(i.candidate.source) else max(value, i.candidate.prior)
                         for value, i in zip(p, items)])

    def save(self, path: Path = MODEL_PATH) -> str:
        import joblib

        import os
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # atomic: never half a model
        os.close(fd)
        try:
            joblib.dump(self, tmp, compress=3)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return file_id(path)


def threshold_for_budget(table: Sequence[float], budget: float) -> float:
    """The entry of a stage-1 budget table (thresholds for budgets 0, 0.01, ..., 1) for a budget."""
    return table[round(budget * (len(table) - 1))]


def file_id(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def load_model(path: Path = MODEL_PATH) -> InversionModel:
    import warnings

    import joblib
    import sklearn

    if not path.is_file():
        raise ModelError(f"inversion model not found at {path}; run `qa train inversion`")
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=getattr(sklearn.exceptions, "InconsistentVersionWarning", Warning))
        try:
            model = joblib.load(path)
        except Warning as warning:
            raise ModelError(f"{path} was trained with another scikit-learn version ({warning}); "
                             "run `qa train inversion` to rebuild it") from None
        except Exception as error:  # a truncated or foreign file: joblib and pickle raise many kinds
            raise ModelError(f"{path} is not a qa inversion model ({type(error).__name__}: {error})") from None
    if not isinstance(model, InversionModel):
        raise ModelError(f"{path} is not a qa inversion model (it holds a {type(model).__name__})")
    if tuple(model.metadata.get("cheap_features", ())) != CHEAP_FEATURES or \
            tuple(model.metadata.get("model_features", ())) != MODEL_FEATURES:
        raise ModelError(f"{path} was trained on other features; run `qa train inversion`")
    return model
