"""The `qa` command line: parse -> load config -> run -> render -> exit code."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from qa import __version__

EXIT_CLEAN, EXIT_ISSUES, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3

app = typer.Typer(
    help="Audit English text for grammar errors and semantic inversions.\n\n"
         "Exit codes: 0 clean, 1 issues at or above --fail-on, 2 usage or config error, "
         "3 a file or engine could not be checked (takes precedence over 1).",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None)


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    rdjson = "rdjson"
    checkstyle = "checkstyle"
    gitlab = "gitlab"


class Level(str, Enum):
    minor = "minor"
    major = "major"
    critical = "critical"


class FailOn(str, Enum):
    never = "never"
    minor = "minor"
    major = "major"
    critical = "critical"


def fail(message: str, code: int = EXIT_USAGE) -> None:
    typer.echo(f"qa: error: {message}", err=True)
    raise typer.Exit(code)


def split_list(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (searched for .txt, .md, .html, ...) or globs.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here (atomically) instead of stdout.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language code, e.g. en-US.")] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these rules: code, name or prefix (GR, grammar, SI001). Repeatable or comma-separated.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rules, same syntax as --select.")] = None,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit 1 when an issue at or above this severity is reported [default: major].")] = None,
    min_confidence: Annotated[Optional[float], typer.Option("--min-confidence", min=0.0, max=1.0, help="Hide issues below this confidence.")] = None,
    min_severity: Annotated[Optional[Level], typer.Option("--min-severity", help="Hide issues below this severity [default: minor]. Hidden issues count toward neither score nor exit code.")] = None,
    lt_server: Annotated[Optional[str], typer.Option("--lt-server", help="Use this LanguageTool server URL instead of starting one.")] = None,
    config_file: Annotated[Optional[Path], typer.Option("--config", help="Use this config file instead of discovering qa.toml/pyproject.toml.")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr (only on a terminal).")] = True,
    report_unused_ignores: Annotated[bool, typer.Option("--report-unused-ignores", help="Warn about inline suppressions (qa-ignore, qa off) that matched no issue.")] = False,
    baseline_file: Annotated[Optional[Path], typer.Option("--baseline", help="Skip the issues recorded in this baseline (from `qa baseline`): report and fail only on new ones.")] = None,
    changed_since: Annotated[Optional[str], typer.Option("--changed-since", metavar="REV", help="Only report sentences touching lines changed since this git revision (untracked files count as changed).")] = None,
    source: Annotated[Optional[Path], typer.Option("--source", help="Source text shown beside the checked text in HTML reports: a file (one checked file) or a directory (matched by file name).")] = None,
    reference: Annotated[Optional[Path], typer.Option("--reference", help="Reference translation, same rules as --source.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")] = False,
) -> None:
    """Check text files and report grammar issues and semantic inversions."""
    from qa.baseline import BaselineError, load
    from qa.changes import ChangesError
    from qa.config import ConfigError, load_config
    from qa.engines.languagetool import write_atomic_text
    from qa.formatters import get_formatter
    from qa.narrow import narrow
    from qa.parallel import ParallelError, attach, find_parallel
    from qa.runner import UsageError

    try:
        config = load_config(Path(paths[0]) if paths else None, config_file, {
            "language": lang, "select": split_list(select), "ignore": split_list(ignore),
            "fail_on": fail_on.value if fail_on else None, "min_confidence": min_confidence,
            "min_severity": min_severity.value if min_severity else None,
            "lt_server": lt_server, "report_unused_ignores": report_unused_ignores or None,
            "cache": False if no_cache else None})
        baseline = load(baseline_file) if baseline_file else None
        report, changes = run_checks(paths, config, progress, changed_since)
        report, known = narrow(report, baseline, changes)
        files = [result.path for result in report.files]
        sources, source_warnings = find_parallel(files, source, "source")
        references, reference_warnings = find_parallel(files, reference, "reference")
    except (ConfigError, UsageError, BaselineError, ChangesError, ParallelError) as error:
        fail(str(error))
    report = attach(report, sources, references)
    for warning in source_warnings + reference_warnings:
        typer.echo(f"qa: warning: {warning}", err=True)
    rendered = get_formatter(format.value)(report)
    if output:
        write_atomic_text(output, rendered)
    else:
        sys.stdout.write(rendered)
    if baseline_file:
        typer.echo(f"qa: {known} known issues skipped (baseline {baseline_file})", err=True)
    echo_errors(report)
    raise typer.Exit(exit_code(report, config["fail_on"]))


def run_checks(paths: list[str], config, progress: bool, changed_since: str | None = None):
    """Discover and check the files; with changed_since, only files with changed lines.
    Returns the report and the changed lines per file (None without changed_since)."""
    from qa.changes import changed_since as lines_changed_since
    from qa.report import Report, Signature
    from qa.runner import discover, enabled_codes, enabled_families, run

    files = discover(paths, config["extensions"])
    if not files:
        fail("no files to check")
    changes = lines_changed_since(changed_since, files) if changed_since else None
    if changes is not None:
        files = [path for path in files if changes[path].any]
        if not files:  # nothing changed: nothing to check, and no engine to start
            return Report(Signature(__version__, config["language"], config.hash), ()), changes
    families = enabled_families(enabled_codes(config))
    with progress_bar(files, len(families), enabled=progress) as advance:
        return run(paths, config, advance, files=files), changes


def echo_errors(report) -> None:
    for error in report.errors:
        typer.echo(f"qa: error: {error}", err=True)
    for result in report.files:
        if result.error:
            typer.echo(f"qa: error: {result.error}", err=True)


@app.command("baseline")
def record_baseline(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or globs, as for `qa check`.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write (atomically).")] = Path("qa-baseline.json"),
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language code, e.g. en-US.")] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these rules, as for `qa check`.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rules, as for `qa check`.")] = None,
    min_confidence: Annotated[Optional[float], typer.Option("--min-confidence", min=0.0, max=1.0, help="Leave out issues below this confidence.")] = None,
    min_severity: Annotated[Optional[Level], typer.Option("--min-severity", help="Leave out issues below this severity.")] = None,
    lt_server: Annotated[Optional[str], typer.Option("--lt-server", help="Use this LanguageTool server URL instead of starting one.")] = None,
    config_file: Annotated[Optional[Path], typer.Option("--config", help="Use this config file instead of discovering one.")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr (only on a terminal).")] = True,
) -> None:
    """Record the current issues so `qa check --baseline FILE` reports only new ones.

    Exit 0 when written; 3 when some file could not be checked (the baseline is
    still written, from the files that were)."""
    from qa.baseline import save
    from qa.config import ConfigError, load_config
    from qa.runner import UsageError

    try:
        config = load_config(Path(paths[0]) if paths else None, config_file, {
            "language": lang, "select": split_list(select), "ignore": split_list(ignore),
            "min_confidence": min_confidence, "lt_server": lt_server,
            "min_severity": min_severity.value if min_severity else None})
        report, _ = run_checks(paths, config, progress)
    except (ConfigError, UsageError) as error:
        fail(str(error))
    count = save(output, report)
    typer.echo(f"qa: recorded {count} issues from {len(report.files)} files in {output}", err=True)
    echo_errors(report)
    raise typer.Exit(EXIT_ERROR if report.has_errors else EXIT_CLEAN)


@app.command("report")
def report_command(
    report_file: Annotated[Path, typer.Argument(help="A saved qa-report/1 JSON file (qa check -f json -o FILE).")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Where to write [default: reports/<REPORT name>.html].")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.html,
) -> None:
    """Render a saved JSON report, by default as a self-contained HTML page."""
    from qa.engines.languagetool import write_atomic_text
    from qa.formatters import get_formatter
    from qa.report import ReportFileError, load_report

    try:
        saved = load_report(report_file)
    except ReportFileError as error:
        fail(str(error))
    suffix = {"text": ".txt"}.get(format.value, f".{format.value}")
    target = output or Path("reports") / (report_file.stem + suffix)
    write_atomic_text(target, get_formatter(format.value)(saved))
    typer.echo(f"wrote {target}", err=True)


def exit_code(report, fail_on: str) -> int:
    if report.has_errors:
        return EXIT_ERROR
    if fail_on != "never":
        from qa.issue import Severity

        threshold = Severity(fail_on).rank
        if any(issue.severity.rank >= threshold for issue in report.issues):
            return EXIT_ISSUES
    return EXIT_CLEAN


class progress_bar:
    """A rich progress bar on stderr for long runs on a terminal; a no-op otherwise."""

    LONG_RUN_CHARS = 200_000

    def __init__(self, files: list[str], families: int, enabled: bool) -> None:
        self.total = sum(os.path.getsize(f) if os.path.isfile(f) else 0 for f in files)
        self.active = (enabled and sys.stderr.isatty()
                       and (len(files) > 5 or self.total > self.LONG_RUN_CHARS))
        self.families = max(families, 1)
        self.progress = None

    def __enter__(self):
        if not self.active:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("checking"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                 TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self.progress.start()
        # Each family reports the characters it has done, so the total counts them per family.
        self._task = self.progress.add_task("check", total=self.total * self.families)
        return self.advance

    def advance(self, characters: int) -> None:
        self.progress.advance(self._task, characters)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


@app.command()
def rules() -> None:
    """List every rule: code, name, category, default severity and summary."""
    from qa.registry import all_rules

    for rule in all_rules().values():
        typer.echo(f"{rule.code}  {rule.name:<28} {str(rule.category):<26} {str(rule.severity):<9} {rule.summary}")


@app.command()
def explain(code: Annotated[str, typer.Argument(help="Rule code or name, e.g. GR002 or grammar.agreement.")]) -> None:
    """Print a rule's documentation."""
    from qa.registry import UnknownSelector, get_rule

    try:
        typer.echo(get_rule(code).doc())
    except UnknownSelector as error:
        fail(str(error))


@app.command("config")
def show_config(
    defaults: Annotated[bool, typer.Option("--defaults", help="Print the shipped defaults file.")] = False,
    config_file: Annotated[Optional[Path], typer.Option("--config", help="Config file to read.")] = None,
) -> None:
    """Print the effective configuration and where each value came from."""
    import json

    from qa.config import ConfigError, defaults_text, load_config

    if defaults:
        typer.echo(defaults_text(), nl=False)
        return
    try:
        config = load_config(None, config_file)
    except ConfigError as error:
        fail(str(error))
    for key, value in config.values.items():
        typer.echo(f"{key} = {json.dumps(value)}    # {config.sources.get(key, 'defaults')}")


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"qa {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    pass


# Set-up, server, cache, training and evaluation commands live in qa/cli_admin.py.
from qa.cli_admin import cache_app, evaluate, server_app, setup, train_app  # noqa: E402

app.command()(setup)
app.command("eval")(evaluate)
app.add_typer(server_app, name="server")
app.add_typer(cache_app, name="cache")
app.add_typer(train_app, name="train")
