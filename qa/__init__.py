"""qa: audit English text for grammar errors and semantic inversions."""

__version__ = "0.1.0"

__all__ = ["__version__", "check_paths", "check_text"]


def check_paths(paths, config=None):
    """Check files, directories or globs; returns a qa.report.Report."""
    from qa.config import load_config
    from qa.runner import run

    return run(list(paths), config or load_config())


def check_text(text: str, config=None):
    """Check a string; returns the qa.report.FileResult for it."""
    from qa.config import load_config
    from qa.document import parse
    from qa.runner import Session

    with Session(config or load_config()) as session:
        return session.check_document(parse(text))
