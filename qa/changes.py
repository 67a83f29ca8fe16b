"""--changed-since REV: which lines of each file changed since a git revision.

For each file, `git diff --unified=0 REV -- FILE` lists the changed hunks; the
new-side ranges of the hunk headers are the changed lines (the working tree,
staged or not, against REV). A hunk that only deletes lines marks the gap between
two lines. Untracked files count as entirely changed.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Iterable

_HUNK_RE = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


class ChangesError(ValueError):
    """Not a git repository, or an unknown revision: a usage error (exit 2)."""


@dataclass(frozen=True)
class FileChanges:
    whole: bool = False  # untracked: every line counts as changed
    lines: frozenset[int] = field(default_factory=frozenset)  # 1-based new-side lines
    gaps: frozenset[int] = field(default_factory=frozenset)  # n: lines deleted between n and n+1

    @property
    def any(self) -> bool:
        return self.whole or bool(self.lines) or bool(self.gaps)

    def touches(self, first: int, last: int) -> bool:
        """Whether lines first..last (inclusive) contain a changed line or a deletion inside."""
        return (self.whole or any(first <= line <= last for line in self.lines)
                or any(first <= gap < last for gap in self.gaps))


def parse_hunks(diff: bytes) -> FileChanges:
    lines: set[int] = set()
    gaps: set[int] = set()
    for match in _HUNK_RE.finditer(diff):
        start, count = int(match.group(1)), int(match.group(2) or 1)
        if count == 0:
            gaps.add(start)
        else:
            lines.update(range(start, start + count))
    return FileChanges(False, frozenset(lines), frozenset(gaps))


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "--literal-pathspecs", *args], cwd=cwd, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise ChangesError("--changed-since needs git, which is not installed") from None


@cache
def toplevel(directory: Path) -> Path:
    done = git(directory, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise ChangesError(f"{directory}: not inside a git repository (needed by --changed-since)")
    return Path(done.stdout.decode().strip())


def verify(top: Path, rev: str) -> None:
    if rev.startswith("-") or git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode:
        raise ChangesError(f"--changed-since: {rev!r} is not a known revision in the git "
                           f"repository {top}")


def file_changes(path: str, rev: str) -> FileChanges:
    file = Path(path).resolve()
    top = toplevel(file.parent)
    relative = file.relative_to(top).as_posix()
    if git(top, "ls-files", "--error-unmatch", "--", relative).returncode != 0:
        return FileChanges(whole=True)
    done = git(top, "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-renames",
               rev, "--", relative)
    if done.returncode != 0:
        raise ChangesError(f"{path}: git diff against {rev!r} failed: "
                           f"{done.stderr.decode(errors='replace').strip()}")
    return parse_hunks(done.stdout)


def changed_since(rev: str, paths: Iterable[str]) -> dict[str, FileChanges]:
    """Changed lines per path; raises ChangesError naming the file or the revision."""
    files = [path for path in paths if Path(path).is_file()]
    for top in dict.fromkeys(toplevel(Path(p).resolve().parent) for p in files):
        verify(top, rev)
    # A missing file stays in the run so that it is reported as a file error.
    return {path: file_changes(path, rev) if path in files else FileChanges(whole=True)
            for path in paths}
