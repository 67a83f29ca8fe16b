"""Parallel texts: the source a file was translated from, or a reference translation.

They are not checked; they are carried in the report (FileResult.source/.reference)
so the HTML report can show them beside the checked text, aligned by paragraph.
`qa check a.txt --source a.de.txt` names the file for one checked file;
`qa check docs/ --source src/` takes src/<file name> for each checked file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Mapping, Sequence

from qa.document import DocumentError, decode
from qa.report import Report


class ParallelError(ValueError):
    """A --source/--reference option that cannot be used (exit 2)."""


def find_parallel(files: Sequence[str], option: Path | None, kind: str) -> tuple[dict[str, str], list[str]]:
    """(checked file -> its parallel text, warnings). A file that has none is left out."""
    if option is None:
        return {}, []
    if option.is_dir():
        pairs = [(checked, option / Path(checked).name) for checked in files]
    elif option.is_file():
        if len(files) != 1:
            raise ParallelError(
                f"--{kind} {option} is a file but {len(files)} files are checked; pass a directory "
                f"holding one {kind} text per checked file, matched by file name")
        pairs = [(files[0], option)]
    else:
        raise ParallelError(f"--{kind} {option}: no such file or directory")
    texts, warnings = {}, []
    for checked, path in pairs:
        if not path.is_file():
            continue
        try:
            texts[checked] = decode(path.read_bytes(), str(path))
        except DocumentError as error:
            warnings.append(f"{error}; {checked} is shown without its {kind}")
        except OSError as error:
            warnings.append(f"{path}: cannot read file ({error.strerror or error}); "
                            f"{checked} is shown without its {kind}")
    return texts, warnings


def attach(report: Report, sources: Mapping[str, str], references: Mapping[str, str]) -> Report:
    if not sources and not references:
        return report
    return replace(report, files=tuple(
        replace(result, source=sources.get(result.path, result.source),
                reference=references.get(result.path, result.reference))
        for result in report.files))
