"""Parsing beside other work: the forked parser's parses are the ones made here."""

import os

from qa.engines.nlp import can_parse_beside, load_spacy, parse_beside

TEXTS = ["Shares in Veldhoven Precision fell by 11 percent on Tuesday.",
         "The firm, which was sued by its customers, did not appeal.",
         "Maria Oyelaran said the hospital would close in May.",
         "Do not delete the cache."] * 3


def test_parse_beside_returns_the_parses_made_here_while_the_work_runs_here():
    assert can_parse_beside()  # Linux: the path `qa check` takes on long texts
    ran = []
    parsed = parse_beside(TEXTS, lambda: ran.append(os.getpid()))
    assert ran == [os.getpid()]
    here = list(load_spacy().pipe(TEXTS))
    assert [doc.to_json() for doc in parsed] == [doc.to_json() for doc in here]
    # what the checks read: lemmas, tags, the tree and named entities
    assert [(t.lemma_, t.tag_, t.dep_, t.head.i, t.ent_type_) for t in parsed[2]] == \
        [(t.lemma_, t.tag_, t.dep_, t.head.i, t.ent_type_) for t in here[2]]
    assert [e.text for e in parsed[2].ents] == ["Maria Oyelaran", "May"]


def _parse_in_a_daemon(queue):
    ran = []
    parsed = parse_beside(TEXTS, lambda: ran.append(True))
    queue.put((ran, [doc.to_json() for doc in parsed]))


def test_where_no_copy_can_be_forked_the_texts_are_parsed_here():
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    daemon = context.Process(target=_parse_in_a_daemon, args=(queue,), daemon=True)  # may not have children
    daemon.start()
    ran, parsed = queue.get(timeout=60)
    daemon.join(timeout=30)
    assert ran == [True]
    assert parsed == [doc.to_json() for doc in load_spacy().pipe(TEXTS)]
