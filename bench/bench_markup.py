"""Markup overhead: the same prose as plain text, Markdown and HTML, same warm server.

Usage: .venv/bin/python bench/bench_markup.py [--sentences N] [--lt-server URL] [--repeat R]
Prints extraction throughput (characters/s of source) and grammar-check time per
format, with the ratio to plain text, and the issue counts (the prose is the same,
so they should be close).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_grammar import build_text  # noqa: E402

from qa.config import defaults, load_config  # noqa: E402
from qa.document import parse, read_document  # noqa: E402
from qa.engines.languagetool import ServerProcess  # noqa: E402
from qa.markup import parse_markup  # noqa: E402
from qa.runner import Session  # noqa: E402


def as_markdown(paragraphs: list[str]) -> str:
    out = ["---\ntitle: Benchmark page\ntags: [news]\n---\n"]
    for n, paragraph in enumerate(paragraphs):
        first, _, rest = paragraph.partition(" ")
        if n % 5 == 0:
            out.append(f"## Section {n // 5 + 1}\n")
        out.append(f"**{first}** {rest} See [the source](https://example.com/{n}) and `ref-{n}`.\n")
    return "\n".join(out)


def as_html(paragraphs: list[str]) -> str:
    out = ["<!DOCTYPE html><html><head><title>Benchmark page</title>"
           "<script>var tracking = 1;</script></head><body><article>"]
    for n, paragraph in enumerate(paragraphs):
        first, _, rest = paragraph.replace("&", "&amp;").replace("<", "&lt;").partition(" ")
        if n % 5 == 0:
            out.append(f"<h2>Section {n // 5 + 1}</h2>")
        out.append(f"<p><b>{first}</b> {rest} See <a href=\"https://example.com/{n}\">the source</a> "
                   f"and <code>ref-{n}</code>.</p>")
    return "\n".join(out + ["</article></body></html>\n"])


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--lt-server", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    paragraphs = [p for p in build_text(args.sentences).split("\n\n") if p.strip()]
    plain = "\n\n".join(f"{p} See the source and ref-{n}." for n, p in enumerate(paragraphs)) + "\n"
    sources = {"plain": ("bench.txt", plain), "markdown": ("bench.md", as_markdown(paragraphs)),
               "html": ("bench.html", as_html(paragraphs))}
    print(f"{len(paragraphs)} paragraphs, {len(parse(plain).sentences)} sentences")
    print(f"{'format':<10}{'chars':>9}{'extract s':>11}{'chars/s':>12}{'check s':>10}{'ratio':>8}{'issues':>8}")
    server = None if args.lt_server else ServerProcess(defaults()["languagetool"]["version"])
    url = args.lt_server or server.url
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = load_config(Path(tmp), overrides={"select": ["GR"], "lt_server": url})
            with Session(config) as session:
                for name, text in sources.values():
                    Path(tmp, name).write_text(text, encoding="utf-8")
                    session.check_document(read_document(Path(tmp, name)))  # warm server and JIT for each
                # Interleaved rounds, so load from other processes hits every format alike.
                checks = {kind: [] for kind in sources}
                for _ in range(args.repeat):
                    for kind, (name, _) in sources.items():
                        start = time.perf_counter()
                        result = session.check_document(read_document(Path(tmp, name)))
                        checks[kind].append((time.perf_counter() - start, len(result.issues)))
                base = statistics.median(t for t, _ in checks["plain"])
                for kind, (name, text) in sources.items():
                    extract = (lambda: parse(text)) if kind == "plain" else (lambda: parse_markup(text, name, kind))
                    extract_time, _ = timed(extract, args.repeat)
                    check_time = statistics.median(t for t, _ in checks[kind])
                    print(f"{kind:<10}{len(text):>9}{extract_time:>11.3f}{len(text) / extract_time:>12,.0f}"
                          f"{check_time:>10.2f}{check_time / base:>8.2f}{checks[kind][-1][1]:>8}")
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
