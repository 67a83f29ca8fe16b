"""Result cache: a cold `qa check` run vs a re-run over the unchanged files.

Usage: .venv/bin/python bench/bench_cache.py [--sentences N] [--lt-server URL] [--repeat R] [--select RULES]
Each run is a whole `qa check` process (interpreter start, reading, checking, JSON
report) on files from corpora/paragraphs/train/, against one warm LanguageTool
server; the families enabled by default are timed unless --select narrows them.
Cold runs start from an empty cache, warm runs reuse it. Prints both times and the
warm/cold ratio (target <= 0.10), and fails if the warm report differs from the cold one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from qa.cache import Store, default_path  # noqa: E402
from qa.config import defaults  # noqa: E402
from qa.document import read_document  # noqa: E402
from qa.engines.languagetool import ServerProcess  # noqa: E402

TARGET = 0.10


def corpus_files(min_sentences: int) -> tuple[list[Path], int]:
    """Whole training files, in name order, until they hold enough sentences."""
    files, count = [], 0
    for path in sorted((ROOT / "corpora" / "paragraphs" / "train").glob("*.txt")):
        files.append(path)
        count += len(read_document(path).sentences)
        if count >= min_sentences:
            break
    return files, count


def timed_run(files: list[Path], args: list[str], env: dict[str, str], output: Path) -> float:
    command = [sys.executable, "-m", "qa", "check", *map(str, files), "-f", "json", "-o", str(output), *args]
    output.unlink(missing_ok=True)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    report = json.loads(output.read_text("utf-8")) if output.exists() else None
    if result.returncode not in (0, 1, 3) or not report or any(f["error"] for f in report["files"]):
        sys.exit(f"qa check failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def results(path: Path) -> dict:
    report = json.loads(path.read_text("utf-8"))
    return {"files": report["files"], "summary": report["summary"]}


def skipped(path: Path) -> list[str]:
    """Run-level errors: families that could not start (exit 3) are reported, not timed."""
    return json.loads(path.read_text("utf-8"))["summary"]["errors"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--lt-server", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--select", default="", help="rules to time, e.g. GR (default: all enabled)")
    options = parser.parse_args()

    files, sentences = corpus_files(options.sentences)
    server = None if options.lt_server else ServerProcess(defaults()["languagetool"]["version"])
    url = options.lt_server or server.url
    args = ["--lt-server", url, "--fail-on", "never"] + (["--select", options.select] if options.select else [])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp, "cache")
            env = {**os.environ, "QA_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
            cold_report, warm_report = Path(tmp, "cold.json"), Path(tmp, "warm.json")
            timed_run(files, args + ["--no-cache"], env, cold_report)  # warm the server's JIT for both
            cold, warm = [], []
            for _ in range(options.repeat):
                shutil.rmtree(cache, ignore_errors=True)
                cold.append(timed_run(files, args, env, cold_report))
                warm.append(timed_run(files, args, env, warm_report))
            store = Store(cache / default_path().name)
            counts = store.counts()
            store.close()
            same = results(cold_report) == results(warm_report)
            notes = skipped(cold_report)
    finally:
        if server:
            server.stop()
    c, w = statistics.median(cold), statistics.median(warm)
    entries = ", ".join(f"{kind} {n}" for kind, n in counts.items())
    print(f"text: {len(files)} files, {sentences} sentences; families: {options.select or 'all enabled'}")
    print(f"cold run (empty cache):    {c:6.2f} s  {sentences / c:8.1f} sentences/s")
    print(f"warm run (unchanged files): {w:5.2f} s  {sentences / w:8.1f} sentences/s")
    print(f"warm/cold ratio: {w / c:.3f}  (target <= {TARGET:.2f}); cache entries: {entries}")
    for note in notes:
        print(f"note: {note}")
    if not same:
        sys.exit("the warm report differs from the cold one")


if __name__ == "__main__":
    main()
