"""qa: audit English text for grammar errors and semantic inversions."""

__version__ = "0.1.0"

__all__ = ["__version__", "check_paths", "check_text"]


def check_paths(paths, config=None):
    """Check files, directories or globs; returns a qa.report.Report."""
    from qa.config import load_config
    from qa.runner import run

    return run(list(paths), config or load_config())


def check_text(text: str, config=None, kind: str = "text"):
    """Check a string (kind "text", "markdown" or "html"); returns its qa.report.FileResult."""
    from qa.config import load_config
    from qa.document import parse
    from qa.runner import Session

    if kind == "text":
        doc = parse(text)
    else:
        from qa.markup import parse_markup

        doc = parse_markup(text, "<text>", kind)
    with Session(config or load_config()) as session:
        return session.check_document(doc)
