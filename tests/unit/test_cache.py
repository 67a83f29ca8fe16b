"""The result cache's store and keys, on real SQLite files; no engines."""

import logging
import sqlite3
import subprocess
import sys
import time

import pytest

from qa.cache import Store, context_bounds, decode, encode, sentence_keys
from qa.document import parse
from qa.issue import Category, Issue, Severity


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "results.sqlite3")
    yield store
    store.close()


def rows(n, kind="grammar"):
    return [(f"key{i}".encode(), kind, f"[{i}]") for i in range(n)]


def warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "qa.cache" and r.levelno == logging.WARNING]


def test_put_get_and_counts(store):
    store.put(rows(3) + [(b"seg", "segmentation", "[[0, 4]]")])
    assert store.get([b"key0", b"key2", b"missing"]) == {b"key0": "[0]", b"key2": "[2]"}
    assert store.counts() == {"grammar": 3, "segmentation": 1}
    store.put([(b"key0", "grammar", "[9]")])  # replaced, not duplicated
    assert store.get([b"key0"]) == {b"key0": "[9]"} and store.counts()["grammar"] == 3


def test_many_keys_are_read_in_batches(store):
    store.put(rows(1234))
    found = store.get([f"key{i}".encode() for i in range(1234)])
    assert len(found) == 1234 and found[b"key1233"] == "[1233]"


def healthy(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def test_garbage_file_is_reported_and_recreated(tmp_path, caplog):
    path = tmp_path / "results.sqlite3"
    path.write_bytes(b"this is not a database at all\x00\xff" * 200)
    store = Store(path)
    assert store.get([b"key0"]) == {}
    assert any("is unusable (file is not a database); starting a new one" in w for w in warnings(caplog))
    store.put(rows(2))
    assert store.get([b"key1"]) == {b"key1": "[1]"}
    store.close()
    assert healthy(path)


def test_truncated_database_is_reported_and_recreated(tmp_path, caplog):
    path = tmp_path / "results.sqlite3"
    store = Store(path)
    store.put([(f"key{i}".encode(), "grammar", "x" * 200) for i in range(5000)])
    store.close()
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    store = Store(path)
    assert store.counts() == {}  # the scan meets the missing pages; the new file is empty
    assert any("database disk image is malformed" in w for w in warnings(caplog))
    store.put(rows(1))
    assert store.counts() == {"grammar": 1}
    store.close()
    assert healthy(path)


@pytest.mark.parametrize("schema", [
    "CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT)",  # another layout, our name
    "CREATE TABLE notes (body TEXT)",  # somebody else's database
])
def test_foreign_table_layout_is_reported_and_recreated(tmp_path, caplog, schema):
    path = tmp_path / "results.sqlite3"
    db = sqlite3.connect(path)
    db.execute(schema)
    db.execute("PRAGMA user_version = 1" if "entries" in schema else "PRAGMA user_version = 0")
    db.commit()
    db.close()
    store = Store(path)
    store.put(rows(2))
    assert store.get([b"key0"]) == {b"key0": "[0]"}
    assert any("is unusable" in w for w in warnings(caplog))
    store.close()


def test_unwritable_location_is_a_warning_and_the_run_goes_on(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    store = Store(blocker / "results.sqlite3")
    store.put(rows(1))
    assert store.get([b"key0"]) == {} and store.disabled
    assert any("cannot be used" in w and "continuing without it" in w for w in warnings(caplog))


HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO entries VALUES (x'01', 'grammar', '[]', 0)")
print("locked", flush=True)
time.sleep(0.5)
db.execute("COMMIT")
"""


def test_a_writer_waits_for_another_process_lock_instead_of_failing(tmp_path, caplog):
    path = tmp_path / "results.sqlite3"
    Store(path).put(rows(1))
    other = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
    assert other.stdout.readline() == "locked\n"
    store = Store(path, busy_timeout=5.0)
    started = time.monotonic()
    store.put(rows(3))
    assert time.monotonic() - started >= 0.2  # it waited for the lock ...
    assert store.counts() == {"grammar": 4}  # ... and both writes landed
    assert warnings(caplog) == []
    assert other.wait() == 0
    store.close()


def test_clear_removes_the_files(store):
    store.put(rows(2))
    assert store.size() > 0
    store.clear()
    assert not store.path.exists() and store.size() == 0


TEXT = "One is here. Two is here. Three is here. Four is here.\n\nFive is here. Six is here.\n"


def edit(text, old, new):
    assert old in text
    return text.replace(old, new)


def test_paragraph_window_keys_change_with_any_sentence_of_the_paragraph():
    before = sentence_keys(parse(TEXT), b"p", None)
    after = sentence_keys(parse(edit(TEXT, "Four", "4")), b"p", None)
    assert [a == b for a, b in zip(before, after)] == [False, False, False, False, True, True]


def test_sentence_window_keys_change_only_within_the_window():
    before = sentence_keys(parse(TEXT), b"p", 1)
    after = sentence_keys(parse(edit(TEXT, "Four", "4")), b"p", 1)
    # sentence 3 changed; 2 and 4 (across the paragraph break) have it in their window
    assert [a == b for a, b in zip(before, after)] == [True, True, False, False, False, True]


def test_keys_ignore_position_but_not_prefix_or_duplicates():
    doc = parse(TEXT)
    moved = parse("A new first paragraph.\n\n" + TEXT)
    assert sentence_keys(moved, b"p", None)[1:] == sentence_keys(doc, b"p", None)
    assert sentence_keys(doc, b"q", None)[0] != sentence_keys(doc, b"p", None)[0]
    twice = parse("Yes. Yes.")
    first, second = sentence_keys(twice, b"p", None)
    assert first != second  # same text, different place in the paragraph


def test_context_bounds():
    doc = parse(TEXT)
    assert context_bounds(doc, doc.sentences[1], None) == doc.paragraphs[0]
    assert context_bounds(doc, doc.sentences[0], 1) == (doc.sentences[0].start, doc.sentences[1].end)
    assert context_bounds(doc, doc.sentences[5], 2) == (doc.sentences[3].start, doc.sentences[5].end)


def test_issues_are_stored_relative_and_reanchored_exactly():
    doc = parse(TEXT)
    moved = parse("A new first paragraph.\n\n" + TEXT)
    sentence, target = doc.sentences[1], moved.sentences[2]
    issue = Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR,
                  0.123456789, sentence.start + 4, sentence.end + 1, sentence.index, "msg",
                  ("a", "b"), "Intended.", {"lt_rule": "X", "score": 0.3333333333333333, "n": None})
    [back] = decode(encode([issue], sentence), target)
    assert moved.text[back.start:back.end] == doc.text[issue.start:issue.end]
    assert back.sentence == 2 and back.confidence == issue.confidence
    assert (back.rule, back.suggestions, back.intended, back.evidence) == (
        issue.rule, issue.suggestions, issue.intended, issue.evidence)
    with pytest.raises(ValueError):
        decode('[{"rule": "GR002"}]', target)
    with pytest.raises(ValueError):
        decode("not json", target)


def test_cached_segmentation_gives_the_same_sentences_and_is_used():
    segments = {}
    plain = parse(TEXT)
    first = parse(TEXT, segments=segments)
    assert first.sentences == plain.sentences and len(segments) == 2
    block = "Five is here. Six is here."
    segments[block] = [(0, len(block))]  # a stored entry wins over segmenting again
    again = parse(TEXT, segments=segments)
    assert [again.text[s.start:s.end] for s in again.sentences][-1] == block


def test_markup_keys_depend_on_the_kind_and_on_what_is_prose():
    from qa.markup import parse_markup

    body = "See [docs] now. It is good.\n"
    linked = parse_markup(f"# Title\n\n{body}\n[docs]: https://example.com\n", "a.md", "markdown")
    literal = parse_markup(f"# Title\n\n{body}", "b.md", "markdown")
    plain = parse(f"Title\n\n{body}")
    assert [linked.text[s.start:s.end] for s in linked.sentences] == ["Title", "See [docs] now.", "It is good."]
    keys = [sentence_keys(doc, b"p", None) for doc in (linked, literal, plain)]
    # "[docs]" is a link in one and literal text in the other: LanguageTool reads them differently
    assert [a == b for a, b in zip(keys[0], keys[1])] == [True, False, False]
    assert not set(keys[2]) & set(keys[0] + keys[1])


class WordFamily:
    """A tiny family obeying the cache protocol: flags "bad" and records what it was asked."""

    family = "grammar"

    def __init__(self, context, version="1"):
        self.context, self.version, self.asked = context, version, []

    def cache_key(self):
        return f"words {self.version}"

    def check(self, doc, progress=None, sentences=None):
        self.asked.append(sorted(sentences) if sentences is not None else None)
        for s in doc.sentences:
            found = doc.text.find("bad", s.start, s.end)
            if found >= 0:
                yield Issue("GR006", "grammar.other", "grammar", Category.FLUENCY_GRAMMAR,
                            Severity.MAJOR, 0.5, found, found + 3, s.index, "bad word")


def run_family(tmp_path, family, text):
    from qa.cache import ResultCache
    from qa.config import load_config

    (tmp_path / ".git").mkdir(exist_ok=True)
    cache = ResultCache(load_config(tmp_path), path=tmp_path / "results.sqlite3")
    try:
        return cache.check(family, parse(text))
    finally:
        cache.close()


TWO = "One is fine. Two is bad. Three is fine.\n\nFour is fine. Five is fine.\n"


def test_only_missing_sentences_are_checked_and_hits_are_reanchored(tmp_path):
    family = WordFamily(context=1)
    first = run_family(tmp_path, family, TWO)
    assert family.asked == [[0, 1, 2, 3, 4]] and [i.sentence for i in first] == [1]
    assert run_family(tmp_path, family, TWO) == first and family.asked == [[0, 1, 2, 3, 4]]
    edited = "Zero is new.\n\n" + TWO + "\nSix is bad.\n"
    issues = run_family(tmp_path, family, edited)
    # new: 0 and 6; their neighbours 1 and 5 saw their window change; 2, 3, 4 did not
    assert family.asked[-1] == [0, 1, 5, 6]
    assert [edited[i.start:i.end] for i in issues] == ["bad", "bad"]
    assert [i.sentence for i in issues] == [2, 6]  # the cached one moved to sentence 2
    other = WordFamily(context=1, version="2")  # another engine version: nothing is reused
    assert run_family(tmp_path, other, TWO) == first and other.asked == [[0, 1, 2, 3, 4]]


def test_document_context_reuses_only_an_unchanged_text(tmp_path):
    family = WordFamily(context="document")
    run_family(tmp_path, family, TWO)
    run_family(tmp_path, family, TWO)
    run_family(tmp_path, family, TWO.replace("Five", "5"))
    assert family.asked == [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]


class Overreaching(WordFamily):
    """Reports an issue reaching past its sentence's window, and one nobody asked for."""

    def check(self, doc, progress=None, sentences=None):
        self.asked.append(sorted(sentences))
        yield Issue("GR006", "grammar.other", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR,
                    0.5, doc.sentences[0].start, doc.sentences[1].end, 0, "spans two sentences")
        yield Issue("GR006", "grammar.other", "grammar", Category.FLUENCY_GRAMMAR, Severity.MAJOR,
                    0.5, doc.sentences[1].start, doc.sentences[1].end, 1, "second")


def test_issues_outside_the_window_are_used_but_not_cached(tmp_path):
    family = Overreaching(context=0)
    first = run_family(tmp_path, family, "First one. Second one.")
    assert [i.message for i in first] == ["spans two sentences", "second"]
    again = run_family(tmp_path, family, "First one. Second one.")
    assert family.asked == [[0, 1], [0]]  # sentence 1 was cached, sentence 0 could not be
    assert [i.message for i in again] == ["spans two sentences", "second"]
