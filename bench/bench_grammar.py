"""Grammar-only throughput: qa vs language-tool-python alone, same text, same warm server.

Usage: .venv/bin/python bench/bench_grammar.py [--sentences N] [--lt-server URL] [--repeat R]
Prints sentences/s for both and the overhead ratio (qa time / direct time; target <= 1.2).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import language_tool_python

from qa.config import defaults, load_config
from qa.document import parse
from qa.engines.languagetool import ServerProcess
from qa.formatters import get_formatter
from qa.report import Report
from qa.runner import Session

ROOT = Path(__file__).parents[1]


def build_text(min_sentences: int) -> str:
    """Paragraphs from the project's own corpora until the text has enough sentences."""
    paragraphs = []
    for path in sorted((ROOT / "corpora" / "paragraphs" / "train").glob("*.txt")):
        paragraphs += [p.strip() for p in path.read_text("utf-8").split("\n\n") if p.strip()]
    chosen, count = [], 0
    for paragraph in paragraphs:
        chosen.append(paragraph)
        count += len(parse(paragraph).sentences)
        if count >= min_sentences:
            break
    return "\n\n".join(chosen) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--lt-server", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    text = build_text(args.sentences)
    sentences = len(parse(text).sentences)
    server = None if args.lt_server else ServerProcess(defaults()["languagetool"]["version"])
    url = args.lt_server or server.url
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "bench.txt")
            path.write_text(text, encoding="utf-8")
            config = load_config(Path(tmp), overrides={"select": ["GR"], "lt_server": url,
                                                       "cache": False})  # time the checks, not the cache
            tool = language_tool_python.LanguageTool("en-US", remote_server=url)
            with Session(config) as session:
                tool.check(text)  # warm the server's caches and JIT equally for both
                direct, qa = [], []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    direct_matches = tool.check(text)
                    direct.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    result = session.check_path(str(path))
                    get_formatter("json")(Report(session.signature(), (result,)))
                    qa.append(time.perf_counter() - start)
    finally:
        if server:
            server.stop()
    d, q = statistics.median(direct), statistics.median(qa)
    print(f"text: {sentences} sentences, {len(text):,} characters; LanguageTool {session.engines.languagetool_version}")
    print(f"language-tool-python direct: {d:6.2f} s  {sentences / d:7.1f} sentences/s  ({len(direct_matches)} matches)")
    print(f"qa check (grammar only):     {q:6.2f} s  {sentences / q:7.1f} sentences/s  ({len(result.issues)} issues)")
    print(f"overhead ratio qa/direct: {q / d:.2f}  (target <= 1.2)")
    sys.exit(0)


if __name__ == "__main__":
    main()
