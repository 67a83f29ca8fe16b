"""run(paths, config) -> Report: discover, read, check, filter, score. Files are isolated."""

from __future__ import annotations

import glob
import importlib
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from qa import __version__
from qa.cache import ResultCache
from qa.checks import FAMILIES
from qa.config import ConfigError, QAConfig
from qa.document import Document, DocumentError, count_words, read_document
from qa.engines.languagetool import (LanguageToolClient, LanguageToolError, ServerProcess,
                                     running_server_url, server_version)
from qa.engines import EngineUnavailable
from qa.issue import Issue, Severity
from qa.registry import UnknownSelector, all_rules, enabled_rules, get_rule, validate_selectors
from qa.report import FileResult, Report, SentenceResult, Signature
from qa.scoring import mqm_score, penalty
from qa.suppress import apply_suppressions, per_file_selectors
from qa.vocabulary import load_vocabulary

Progress = Callable[[int], None]  # called with a number of characters done


class UsageError(ValueError):
    """Bad paths or selectors: exit code 2."""


class Engines:
    """Heavy external resources, created on first use and shared by every file in a run."""

    def __init__(self, config: QAConfig) -> None:
        self.config = config
        self._languagetool: LanguageToolClient | None = None
        # Accepted and rejected words, for every family (spelling, terminology, entity checks).
        self.vocabulary = load_vocabulary(config)
        self._lt_location: tuple[str | None, bool] | None = None
        self._lt_version: str | None = None  # known before a client exists (see languagetool_identity)
        self.failure: LanguageToolError | None = None  # why LanguageTool could not be used, once

    def _attempt(self, start):
        if self.failure is not None:
            raise self.failure  # do not wait again, file after file, for a server that failed
        try:
            return start()
        except LanguageToolError as error:
            self.failure = error
            raise

    def _languagetool_url(self) -> tuple[str | None, bool]:
        """(URL of a running server or None, whether it runs qa's own install)."""
        if self._lt_location is None:
            explicit = self.config["lt_server"]
            self._lt_location = (explicit, False) if explicit else (running_server_url(), True)
        return self._lt_location

    @property
    def languagetool(self) -> LanguageToolClient:
        if self._languagetool is None:
            self._languagetool = self._attempt(self._start_languagetool)
        return self._languagetool

    def _start_languagetool(self) -> LanguageToolClient:
        settings = self.config.section("languagetool")
        url, _ = self._languagetool_url()
        server = None
        if not url:
            server = ServerProcess(settings["version"],
                                   startup_timeout=float(settings["startup_timeout"]))
            url = server.url
        try:
            client = LanguageToolClient(url, self.config["language"], server=server)
            if server and self._lt_version and client.version != self._lt_version:
                raise LanguageToolError(f"the LanguageTool installed as {self._lt_version} reports "
                                        f"version {client.version}; run `qa setup` again")
        except BaseException:
            if server:
                server.stop()
            raise
        return client

    def languagetool_identity(self) -> str:
        """Which LanguageTool results come from, for cache keys, without starting a server.

        A running server (--lt-server, `qa server`) is asked for its version: one request.
        An embedded server would run the installed version named in config, so that
        version is used, and checked if the server is started later. `qa server` and the
        embedded server run the same install with the same options: both are "local".
        """
        url, local = self._languagetool_url()
        if self._languagetool is None and self._lt_version is None:
            self._lt_version = (self._attempt(lambda: server_version(url)) if url
                                else self.config.section("languagetool")["version"])
        return f"LanguageTool {self.languagetool_version} " + ("local" if local else f"at {url}")

    @property
    def languagetool_version(self) -> str | None:
        return self._languagetool.version if self._languagetool else self._lt_version

    def close(self) -> None:
        if self._languagetool is not None:
            self._languagetool.close()

    def __enter__(self) -> Engines:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def discover(paths: Sequence[str], extensions: Iterable[str]) -> list[str]:
    """Files named directly, files under directories (by extension), and glob matches."""
    extensions = tuple(e.lower() for e in extensions)
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(str(p) for p in path.rglob("*")
                            if p.is_file() and p.suffix.lower() in extensions)
        elif path.exists() or not glob.has_magic(raw):
            found.append(raw)  # a missing file becomes a file-level error, not a crash
        else:
            matches = sorted(p for p in glob.glob(raw, recursive=True) if os.path.isfile(p))
            if not matches:
                raise UsageError(f"no files match {raw!r}")
            found += matches
    return list(dict.fromkeys(found))


def severity_overrides(config: QAConfig) -> dict[str, Severity]:
    try:
        return {get_rule(key).code: Severity(value) for key, value in config["severity"].items()}
    except UnknownSelector as error:
        raise ConfigError(f"{config.sources.get('severity', 'config')}: [severity] {error}") from None


def enabled_codes(config: QAConfig) -> frozenset[str]:
    try:
        return enabled_rules(config["select"], config["ignore"])
    except UnknownSelector as error:
        raise UsageError(str(error)) from None


def enabled_families(codes: frozenset[str]) -> list[str]:
    rules = all_rules()
    return [family for family in FAMILIES if any(rules[c].family == family for c in codes)]


class Session:
    """Enabled checks and their engines, shared by every file of a run."""

    def __init__(self, config: QAConfig) -> None:
        self.config = config
        self.enabled = enabled_codes(config)
        self.overrides = severity_overrides(config)
        for pattern, selectors in config["per_file_ignores"].items():
            try:
                validate_selectors(selectors)
            except UnknownSelector as error:
                raise ConfigError(f"{config.sources['per_file_ignores']}: "
                                  f"[per_file_ignores] {pattern!r}: {error}") from None
        self.families = enabled_families(self.enabled)
        self.engines = Engines(config)
        # The vocabulary files' content shapes results, so it is part of every cache key.
        self.cache = ResultCache(config, self.engines.vocabulary) if config["cache"] else None
        self.errors: list[str] = []  # run-level: a family whose engine could not start
        self.checks = []
        for family in self.families:
            try:
                self.checks.append(importlib.import_module(FAMILIES[family]).CHECK(config, self.engines))
            except EngineUnavailable as error:
                self.errors.append(f"{family} checks skipped: {error}")

    def signature(self) -> Signature:
        models = {k: v for check in self.checks for k, v in getattr(check, "models", {}).items()}
        return Signature(__version__, self.config["language"], self.config.hash,
                         self.engines.languagetool_version, models)

    def check_path(self, path: str, progress: Progress | None = None) -> FileResult:
        try:
            doc = read_document(path, self.config["fallback_encoding"],
                                self.cache.segments if self.cache else None)
        except DocumentError as error:
            return FileResult(path, error=str(error))
        return self.check_document(doc, progress)

    def check_document(self, doc: Document, progress: Progress | None = None) -> FileResult:
        issues, errors = [], []
        for check in list(self.checks):
            try:
                if self.cache is not None and hasattr(check, "cache_key"):
                    issues += self.cache.check(check, doc, progress)
                else:
                    issues += check.check(doc, progress)
            except LanguageToolError as error:
                if error is self.engines.failure:  # reported once for the run, as at start-up
                    self.errors.append(f"{check.family} checks skipped: {error}")
                    self.checks.remove(check)
                else:
                    errors.append(f"{doc.path}: {check.family} check failed: {error}")
            except EngineUnavailable as error:  # a model that cannot load fails every file alike
                self.errors.append(f"{check.family} checks skipped: {error}")
                self.checks.remove(check)
            except Exception as error:  # a bug in one family must not lose the other files
                errors.append(f"{doc.path}: internal error in {check.family} check: "
                              f"{type(error).__name__}: {error}")
        if self.cache is not None:
            self.cache.flush()
        issues = filter_issues(issues, self.enabled - self.ignored_in(doc.path), self.overrides,
                               float(self.config["min_confidence"]), Severity(self.config["min_severity"]))
        issues, notices = apply_suppressions(doc, issues, self.enabled,
                                             bool(self.config["report_unused_ignores"]))
        return FileResult(doc.path, doc.text, score_sentences(doc, issues), tuple(issues),
                          "\n".join(errors) or None,
                          tuple(sorted(doc.notices + tuple(notices), key=_notice_order)))

    def ignored_in(self, path: str) -> frozenset[str]:
        """Rule codes that [per_file_ignores] turns off for this file."""
        selectors = per_file_selectors(path, self.config["per_file_ignores"],
                                       self.config.base_dir("per_file_ignores"))
        return enabled_rules(selectors, []) if selectors else frozenset()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        self.engines.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _notice_order(notice) -> tuple[bool, int]:
    return notice.start is None, notice.start or 0


def run(paths: Sequence[str], config: QAConfig, progress: Progress | None = None,
        files: Sequence[str] | None = None) -> Report:
    files = list(files) if files is not None else discover(paths, config["extensions"])
    with Session(config) as session:
        results = tuple(session.check_path(path, progress) for path in files)
        return Report(session.signature(), results, tuple(session.errors))


def filter_issues(issues: Iterable[Issue], enabled: frozenset[str],
                  overrides: dict[str, Severity], min_confidence: float,
                  min_severity: Severity = Severity.MINOR) -> list[Issue]:
    kept = []
    for issue in issues:
        if issue.rule not in enabled or issue.confidence < min_confidence:
            continue
        if issue.rule in overrides:
            issue = replace(issue, severity=overrides[issue.rule])
        if issue.severity.rank < min_severity.rank:  # after overrides: the shown severity counts
            continue
        kept.append(issue)
    return sorted(kept, key=lambda i: (i.start, i.end, i.rule))


def score_sentences(doc: Document, issues: Sequence[Issue]) -> tuple[SentenceResult, ...]:
    by_sentence: dict[int, list[Severity]] = {}
    for issue in issues:
        by_sentence.setdefault(issue.sentence, []).append(issue.severity)
    results = []
    for sentence in doc.sentences:
        words = count_words(doc.prose(sentence.start, sentence.end))
        results.append(SentenceResult(sentence.index, sentence.start, sentence.end, words,
                                      mqm_score(penalty(by_sentence.get(sentence.index, ())), words)))
    return tuple(results)
