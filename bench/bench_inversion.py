"""Inversion-check speed: `qa check --select SI` on a 1,000-sentence document, model loading included.

Usage: .venv/bin/python bench/bench_inversion.py [--sentences N] [--repeat R] [--thorough] [--budget B]
Runs qa in a fresh process each time (so imports and model loads count), with the
result cache off, and prints sentences per second (target >= 20 on 2 cores) and
the peak resident memory of that process (target <= 3 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from qa.document import parse  # noqa: E402


def build_text(min_sentences: int) -> str:
    """Clean prose from corpora/clean/ (never used for training), repeated paragraphs avoided."""
    paragraphs, count = [], 0
    for path in sorted((ROOT / "corpora" / "clean").glob("*.txt")) + sorted(
            (ROOT / "corpora" / "paragraphs" / "dev").glob("*.txt")):
        for paragraph in path.read_text("utf-8").split("\n\n"):
            if paragraph.strip() and count < min_sentences:
                paragraphs.append(paragraph.strip())
                count += len(parse(paragraph).sentences)
    return "\n\n".join(paragraphs) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--thorough", action="store_true", help="time [inversion] thorough = true")
    parser.add_argument("--budget", type=float, help="time this [inversion] budget [default: qa's]")
    args = parser.parse_args()
    text = build_text(args.sentences)
    sentences = len(parse(text).sentences)
    qa = [sys.executable, "-m", "qa", "check", "--select", "SI", "--no-cache", "--no-progress",
          "-f", "json", "--fail-on", "never"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "long.txt")
        path.write_text(text, encoding="utf-8")
        budget = "" if args.budget is None else f"budget = {args.budget}\n"
        Path(tmp, "qa.toml").write_text(f"[inversion]\nthorough = {str(args.thorough).lower()}\n{budget}")
        subprocess.run(qa + [str(path)], capture_output=True, env=env, cwd=tmp)  # warm the disk cache
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = subprocess.run(qa + [str(path)], capture_output=True, text=True, env=env, cwd=tmp)
            times.append(time.perf_counter() - start)
            if result.returncode not in (0, 1):
                sys.exit(f"qa failed ({result.returncode}): {result.stderr[-2000:]}")
        issues = len(json.loads(result.stdout)["files"][0]["issues"])
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    seconds = statistics.median(times)
    print(f"text: {sentences} sentences, {len(text):,} characters (corpora/clean + dev paragraphs)")
    mode = (" (thorough)" if args.thorough else "") + ("" if args.budget is None else f" (budget {args.budget:g})")
    print(f"qa check --select SI{mode}: {seconds:.1f} s  ->  {sentences / seconds:.1f} sentences/s "
          f"(target >= 20), {issues} inversion issues")
    print(f"peak memory of one qa process: {peak_gb:.2f} GB (target <= 3)")


if __name__ == "__main__":
    main()
