"""Commands around the checks: set-up, the LanguageTool server, the result cache,
training and evaluation. Registered on the app in qa/cli.py."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from qa.cli import EXIT_ERROR, fail

server_app = typer.Typer(help="Keep a local LanguageTool server running for fast repeated runs.",
                         no_args_is_help=True)
cache_app = typer.Typer(help="The result cache that lets re-runs skip unchanged sentences.",
                        no_args_is_help=True)
train_app = typer.Typer(help="Rebuild the project's trained models and corpora.", no_args_is_help=True)


def setup(
    lt_version: Annotated[Optional[str], typer.Option("--lt-version", help="LanguageTool version [default: from config].")] = None,
) -> None:
    """Fetch LanguageTool from Maven Central into the cache (idempotent)."""
    from qa.config import defaults
    from qa.engines.languagetool import LanguageToolError, install, java_command

    version = lt_version or defaults()["languagetool"]["version"]
    try:
        java_command()
        home = install(version, log=lambda m: typer.echo(m, err=True))
    except LanguageToolError as error:
        fail(str(error), EXIT_ERROR)
    typer.echo(f"LanguageTool {version} is ready in {home}")


@server_app.command("start")
def server_start(
    port: Annotated[Optional[int], typer.Option(help="Port on 127.0.0.1 [default: a free one].")] = None,
) -> None:
    """Start a background LanguageTool server that `qa check` then uses automatically."""
    from qa.config import defaults
    from qa.engines.languagetool import LanguageToolError, start_background_server

    settings = defaults()["languagetool"]
    try:
        state = start_background_server(settings["version"], port, float(settings["startup_timeout"]))
    except LanguageToolError as error:
        fail(str(error), EXIT_ERROR)
    typer.echo(f"LanguageTool server running at {state['url']} (pid {state.get('pid')})")


@server_app.command("stop")
def server_stop() -> None:
    """Stop the background LanguageTool server."""
    from qa.engines.languagetool import stop_background_server

    state = stop_background_server()
    typer.echo(f"stopped server at {state['url']}" if state else "no server was running")


@server_app.command("status")
def server_status() -> None:
    """Show whether the background server is running (exit 1 if not)."""
    from qa.engines.languagetool import read_state, running_server_url

    url = running_server_url()
    if url is None:
        typer.echo("no server running")
        raise typer.Exit(1)
    state = read_state() or {}
    typer.echo(f"running at {url} (pid {state.get('pid')}, LanguageTool {state.get('version')}, "
               f"log {state.get('log')})")


@train_app.command("inversion")
def train_inversion(
    seed: Annotated[int, typer.Option(help="Random seed for perturbations and models.")] = 13,
    budget: Annotated[Optional[float], typer.Option(
        min=0.01, max=1.0, help="Share of clean sentences stage 1 may send to the LM's expensive "
        "evidence (more: higher recall, slower checks) [default: the project's].")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Where to write the model (its card goes beside it) "
        "[default: qa/inversion/trained/inversion.joblib].")] = None,
) -> None:
    """Train the inversion classifier on corpora/ and write it to qa/inversion/trained/ (or --output)."""
    from qa.inversion.card import write_card
    from qa.inversion.model import MODEL_PATH
    from qa.inversion.train import STAGE1_BUDGET, train

    out = output or MODEL_PATH
    metadata = train(out, seed=seed, budget=budget or STAGE1_BUDGET, log=lambda m: typer.echo(m, err=True))
    typer.echo(f"model card: {write_card(metadata, out.parent / 'MODEL_CARD.md')}")


@train_app.command("corpora")
def train_corpora(seed: Annotated[int, typer.Option(help="Random seed for the dev perturbations.")] = 7) -> None:
    """Regenerate the evaluation corpora derived from corpora/: dev set and garbles dev split."""
    from qa.inversion.corpora import write_eval_corpora

    for path, count in write_eval_corpora(seed):
        typer.echo(f"{path}: {count} records")


def evaluate(
    corpora: Annotated[list[Path], typer.Argument(help="Annotated JSONL corpora, or .txt files/directories of clean text.")],
    threshold: Annotated[Optional[float], typer.Option(help="Decision threshold [default: the model's].")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the metrics as JSON here.")] = None,
    errors: Annotated[int, typer.Option(help="Show this many missed inversions and false alarms.")] = 0,
    thorough: Annotated[bool, typer.Option(help="Every sentence's best readings get the LM (as `[inversion] thorough`).")] = False,
    budget: Annotated[Optional[float], typer.Option(
        min=0.0, max=1.0, help="Share of clean sentences stage 1 sends to the LM, as `[inversion] budget` "
        "(0: the model's training budget) [default: qa's default for `[inversion] budget`].")] = None,
    model_path: Annotated[Optional[Path], typer.Option(
        "--model", help="Inversion model to evaluate [default: the committed one].")] = None,
) -> None:
    """Precision, recall and F1 of the inversion checks (sentence and span level, per rule)."""
    import json

    from qa.engines import EngineUnavailable
    from qa.engines.languagetool import write_atomic_text
    from qa.eval import evaluate as run_eval, read_corpus, render, summary
    from qa.inversion.detector import Detector
    from qa.config import defaults
    from qa.inversion.model import MODEL_PATH, load_model

    try:
        model = load_model(model_path or MODEL_PATH)
        if budget is None:
            budget = float(defaults()["inversion"]["budget"])
        detector = Detector(model, thorough=thorough, budget=budget or None)
    except EngineUnavailable as error:
        fail(str(error), EXIT_ERROR)
    threshold = model.threshold if threshold is None else threshold
    everything = {}
    for corpus in corpora:
        if not corpus.exists():
            fail(f"{corpus}: no such file or directory")
        try:
            records = list(read_corpus(corpus))
        except ValueError as error:
            fail(str(error))
        with records_progress(f"evaluating {corpus.name}", len(records)) as tick:
            results = run_eval(records, detector, threshold, tick)
        data = everything[str(corpus)] = summary(results, threshold)
        data.update(thorough=thorough, stage1_budget=detector.budget or model.metadata.get("stage1_budget"))
        typer.echo(render(str(corpus), data, results, errors))
    if json_out:
        write_atomic_text(json_out, json.dumps(everything, indent=2) + "\n")


@contextmanager
def records_progress(label: str, total: int):
    """A progress bar on stderr when it is a terminal (evaluating a corpus takes minutes)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


@cache_app.command("info")
def cache_info() -> None:
    """Where the result cache is, its size and its entries per check family."""
    from qa.cache import Store, describe

    store = Store()
    if not store.path.exists():
        typer.echo(f"{store.path}: no cache yet")
        return
    info = describe(store)
    kinds = ", ".join(f"{kind} {count}" for kind, count in info["by_kind"].items()) or "none"
    typer.echo(f"{info['path']}: {info['bytes'] / 1e6:.1f} MB, {info['entries']} entries ({kinds})")


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete the result cache."""
    from qa.cache import Store

    store = Store()
    store.clear()
    typer.echo(f"cleared {store.path}")
