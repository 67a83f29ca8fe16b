"""Per-sentence result cache in SQLite, so a re-run over unchanged text costs little.

An entry holds one family's issues for one sentence, with offsets relative to the
sentence start, so the same sentence elsewhere (another position, another file)
reuses it. The key is a digest of what produced the issues -- qa's version and
source, the config, the family's cache_key() (engine and model versions) -- and
of the sentence text with its context window. Paragraph segmentation is cached the
same way, because pysbd would otherwise dominate a re-run.

The cache is an optimisation: a cache file that is corrupt or of another layout is
reported as a warning and recreated; one that is locked, read-only or full is a
warning and the run goes on without it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
import time
from bisect import bisect_right
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence, Union

from qa import __version__
from qa.document import Document, Sentence
from qa.issue import Issue

FORMAT = 1  # bump when the table layout or the value format changes; it is in the file name
BUSY_TIMEOUT = 10.0  # seconds SQLite waits for another process's write lock
ATTEMPTS = 5
BATCH = 500  # keys per SELECT
SEGMENTATION = "segmentation"  # the kind of the segmentation entries
DOCUMENT = "document"  # a family's context when its results depend on the whole text
# Config keys that cannot change what a family finds: exit policy, file discovery, the cache itself.
NEUTRAL_KEYS = frozenset({"cache", "fail_on", "extensions"})

_SCHEMA = ("CREATE TABLE entries (key BLOB PRIMARY KEY, kind TEXT NOT NULL, "
           "value TEXT NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID")
_COLUMNS = [("key", "BLOB"), ("kind", "TEXT"), ("value", "TEXT"), ("created", "INTEGER")]
_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED

log = logging.getLogger("qa.cache")


class LayoutError(Exception):
    """The file is an SQLite database, but not one of ours."""


def default_path() -> Path:
    from qa.engines.languagetool import cache_dir

    return cache_dir() / f"results-v{FORMAT}.sqlite3"


# --- the SQLite store ------------------------------------------------------------

class Store:
    """Key -> value rows in one SQLite file, safe for concurrent processes (WAL, busy timeout)."""

    def __init__(self, path: Path | None = None, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = path or default_path()
        self.busy_timeout = busy_timeout
        self.disabled = False
        self._db: sqlite3.Connection | None = None
        self._warned: set[str] = set()

    def get(self, keys: Sequence[bytes]) -> dict[bytes, str]:
        def read(db: sqlite3.Connection) -> dict[bytes, str]:
            found: dict[bytes, str] = {}
            for i in range(0, len(keys), BATCH):
                part = keys[i:i + BATCH]
                marks = ",".join("?" * len(part))
                found.update(db.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", part))
            return found
        return self._run(read, {}) if keys else {}

    def put(self, rows: Sequence[tuple[bytes, str, str]]) -> None:
        """Store (key, kind, value) rows in one transaction."""
        if not rows:
            return
        now = int(time.time())
        stamped = [(key, kind, value, now) for key, kind, value in rows]

        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", stamped)
        self._run(write, None)

    def counts(self) -> dict[str, int]:
        """Entries per kind (family name or "segmentation")."""
        query = "SELECT kind, COUNT(*) FROM entries GROUP BY kind ORDER BY kind"
        return self._run(lambda db: dict(db.execute(query)), {})

    def size(self) -> int:
        """Bytes on disk, write-ahead log included."""
        return sum(p.stat().st_size for p in self._files() if p.exists())

    def clear(self) -> None:
        self.close()
        for path in self._files():
            path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            log.warning("qa: warning: %s", message)

    def _files(self) -> list[Path]:
        return [self.path, self.path.with_name(self.path.name + "-wal"),
                self.path.with_name(self.path.name + "-shm")]

    def _run(self, operation, fallback):
        """Run operation(db), retrying when busy and recreating a corrupt file; never raise."""
        for attempt in range(ATTEMPTS):
            if self.disabled:
                return fallback
            try:
                return operation(self._connection())
            except LayoutError as error:
                self._recreate(str(error))
            except sqlite3.Error as error:
                code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
                if code in _CORRUPT:
                    self._recreate(str(error))
                elif code in _BUSY:
                    time.sleep(0.05 * 2 ** attempt)
                else:
                    return self._give_up(error, fallback)
            except OSError as error:
                return self._give_up(error, fallback)
        return self._give_up("still locked or corrupt after retries", fallback)

    def _connection(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; only the last commits may be lost
            _ensure_layout(db)
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    def _recreate(self, reason: str) -> None:
        self.warn(f"result cache {self.path} is unusable ({reason}); starting a new one")
        self.close()
        for path in self._files():
            path.unlink(missing_ok=True)

    def _give_up(self, error, fallback):
        self.warn(f"result cache {self.path} cannot be used ({error}); continuing without it")
        self.close()
        self.disabled = True
        return fallback


def _ensure_layout(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:  # a new file: create the table, unless another process just did
        with _transaction(db):
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                if db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                    raise LayoutError("it holds tables that qa did not create")
                db.execute(_SCHEMA)
                db.execute(f"PRAGMA user_version = {FORMAT}")
                version = FORMAT
    if version != FORMAT:
        raise LayoutError(f"layout version {version}, expected {FORMAT}")
    columns = [(row[1], row[2]) for row in db.execute("PRAGMA table_info(entries)")]
    if columns != _COLUMNS:
        raise LayoutError("the entries table has other columns")


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")  # take the write lock now (waits up to BUSY_TIMEOUT)
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# --- keys ------------------------------------------------------------------------

@cache
def source_digest() -> str:
    """Digest of qa's own code and data, so a changed checkout never reuses older results."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        if path.suffix in {".py", ".toml", ".json"}:
            digest.update(path.read_bytes())
        else:  # data files may be large model weights: their size and time stand in for content
            stat = path.stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    from importlib.metadata import version

    digest.update(f"pysbd {version('pysbd')}".encode())
    return digest.hexdigest()


def code_key() -> str:
    return json.dumps([FORMAT, __version__, source_digest()])


def run_key(config, inputs: Any = None) -> str:
    """What every entry of this run depends on: qa's code, the config, and inputs the
    config points to (the vocabulary files' content)."""
    values = {k: v for k, v in config.values.items() if k not in NEUTRAL_KEYS}
    return json.dumps([code_key(), values, inputs], sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    """JSON for sets (sorted) and dataclasses, so equal inputs give equal keys."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if dataclasses.is_dataclass(value):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a cache key")


def _digest(*parts: str) -> bytes:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).digest()


Context = Union[int, None, str]  # n sentences each side, None: the paragraph, "document"


def context_bounds(doc: Document, sentence: Sentence, context: Context) -> tuple[int, int]:
    """The text a family's results for sentence may depend on: its paragraph (context None),
    context sentences on each side in document order, or the whole "document"."""
    if context == DOCUMENT:
        return 0, len(doc.text)
    if context is None:
        start, end = doc.paragraphs[sentence.paragraph]
    else:
        start = doc.sentences[max(0, sentence.index - context)].start
        end = doc.sentences[min(len(doc.sentences) - 1, sentence.index + context)].end
    return min(start, sentence.start), max(end, sentence.end)


def sentence_keys(doc: Document, prefix: bytes, context: Context) -> list[bytes]:
    """One key per sentence: the text before it in its window, the sentence, the text after,
    and for markup, the kind and which parts of the window are prose (relative offsets)."""
    keys = []
    text, starts = doc.text, [block.start for block in doc.blocks]
    if context == DOCUMENT:  # the whole text once, not once per sentence
        whole = [text, doc.kind, _prose_layout(doc, starts, 0, len(text)) if doc.blocks else []]
        prefix = _digest(prefix.hex(), json.dumps(whole, ensure_ascii=False))
        return [hashlib.sha256(prefix + str(s.index).encode()).digest() for s in doc.sentences]
    for sentence in doc.sentences:
        start, end = context_bounds(doc, sentence, context)
        parts = [text[start:sentence.start], text[sentence.start:sentence.end], text[sentence.end:end]]
        if doc.blocks:
            parts += [doc.kind, _prose_layout(doc, starts, start, end)]
        keys.append(hashlib.sha256(prefix + json.dumps(parts, ensure_ascii=False).encode()).digest())
    return keys


def _prose_layout(doc: Document, starts: list[int], start: int, end: int) -> list:
    """The blocks overlapping text[start:end], as offsets relative to start."""
    layout = []
    for block in doc.blocks[max(0, bisect_right(starts, start) - 1):]:  # in document order
        if block.start >= end:
            break
        if block.end > start:
            layout.append([[[a - start, b - start] for a, b in block.ranges],
                           [[a - start, b - start, reads] for a, b, reads in block.marks]])
    return layout


def encode(issues: Iterable[Issue], sentence: Sentence) -> str:
    """Issues of one sentence with offsets relative to its start; confidence kept exact."""
    return json.dumps([{**issue.to_dict(), "confidence": issue.confidence, "sentence": 0,
                        "start": issue.start - sentence.start, "end": issue.end - sentence.start}
                       for issue in issues], ensure_ascii=False, allow_nan=False)


def decode(value: str, sentence: Sentence) -> list[Issue]:
    """Stored issues re-anchored at sentence; raises ValueError on anything malformed."""
    try:
        return [Issue.from_dict({**data, "sentence": sentence.index,
                                 "start": sentence.start + data["start"],
                                 "end": sentence.start + data["end"]})
                for data in json.loads(value)]
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"malformed cache entry: {error!r}") from None


# --- a run's view of the cache ------------------------------------------------------

class ResultCache:
    """The cache as a Session uses it: cached family checks and cached segmentation."""

    def __init__(self, config, inputs: Any = None, path: Path | None = None) -> None:
        self.store = Store(path)
        self.run_key = run_key(config, inputs)
        self.segments = Segments(self)
        self._pending: list[tuple[bytes, str, str]] = []

    def check(self, check, doc: Document, progress=None) -> list[Issue]:
        """check.check(doc), run only for the sentences whose results are not cached."""
        context = getattr(check, "context", None)
        prefix = _digest(self.run_key, check.family, check.cache_key())
        keys = sentence_keys(doc, prefix, context)
        found = self.store.get(keys)
        results: dict[int, list[Issue]] = {}
        for sentence, key in zip(doc.sentences, keys):
            if key in found:
                try:
                    results[sentence.index] = decode(found[key], sentence)
                except ValueError:
                    pass  # re-checked below and overwritten
        if progress and results:
            progress(sum(doc.sentences[i].end - doc.sentences[i].start for i in results))
        misses = [s.index for s in doc.sentences if s.index not in results]
        if misses:
            fresh: dict[int, list[Issue]] = {index: [] for index in misses}
            for issue in check.check(doc, progress, sentences=misses):
                if issue.sentence in fresh:  # a family may report more than was asked for
                    fresh[issue.sentence].append(issue)
            for index, issues in fresh.items():
                self._keep(check.family, keys[index], doc, doc.sentences[index], issues, context)
            results.update(fresh)
        return [issue for index in sorted(results) for issue in results[index]]

    def _keep(self, family: str, key: bytes, doc: Document, sentence: Sentence,
              issues: list[Issue], context: Context) -> None:
        start, end = context_bounds(doc, sentence, context)
        if any(issue.start < start or issue.end > end for issue in issues):
            return  # it depends on text outside the keyed window: not reusable
        try:
            self._pending.append((key, family, encode(issues, sentence)))
        except (TypeError, ValueError) as error:  # e.g. evidence that is not plain JSON
            self.store.warn(f"{family} results cannot be cached ({error})")

    def flush(self) -> None:
        """Write what this file added, in one transaction."""
        rows, self._pending = self._pending, []
        self.store.put(rows)

    def close(self) -> None:
        self.flush()
        self.store.close()


class Segments:
    """Cached paragraph segmentation: the mapping document.parse() accepts."""

    def __init__(self, cache: ResultCache) -> None:
        self.cache = cache
        self.prefix = _digest(code_key(), SEGMENTATION)  # pysbd's output depends on nothing else

    def _key(self, block: str) -> bytes:
        return hashlib.sha256(self.prefix + block.encode()).digest()

    def get(self, block: str) -> list[tuple[int, int]] | None:
        key = self._key(block)
        value = self.cache.store.get([key]).get(key)
        try:
            spans = [(int(a), int(b)) for a, b in json.loads(value)] if value else None
        except (ValueError, TypeError):
            return None
        if spans is None or any(not 0 <= a < b <= len(block) for a, b in spans):
            return None
        return spans

    def __setitem__(self, block: str, spans: list[tuple[int, int]]) -> None:
        self.cache._pending.append((self._key(block), SEGMENTATION, json.dumps(spans)))


def describe(store: Store) -> dict[str, Any]:
    """What `qa cache info` prints."""
    counts = store.counts()
    return {"path": str(store.path), "bytes": store.size(), "entries": sum(counts.values()),
            "by_kind": counts}
