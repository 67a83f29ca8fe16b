"""--changed-since: hunk parsing, and changed lines from a real temporary git repository."""

import subprocess

import pytest

from qa.changes import ChangesError, FileChanges, changed_since, parse_hunks


def git(repo, *args):
    subprocess.run(["git", "-c", "user.email=qa@example.org", "-c", "user.name=qa", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.txt").write_text("one\ntwo\nthree\nfour\nfive\n")
    (repo / "same.txt").write_text("unchanged\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    monkeypatch.chdir(repo)
    return repo


def test_hunk_headers_give_new_side_lines_and_deletion_gaps():
    diff = (b"--- a/f\n+++ b/f\n@@ -2 +2 @@ ctx\n-b\n+B\n@@ -4,2 +5,3 @@\n+x\n"
            b"@@ -9 +8,0 @@\n-gone\n@@ -0,0 +1 @@\n+@@ -1 +1 @@ not a header\n")
    changes = parse_hunks(diff)
    assert changes.lines == {1, 2, 5, 6, 7}
    assert changes.gaps == {8}


def test_touches_counts_changed_lines_and_deletions_inside_a_sentence():
    changes = FileChanges(lines=frozenset({5}), gaps=frozenset({8}))
    assert changes.touches(4, 6) and changes.touches(5, 5)
    assert not changes.touches(1, 4) and not changes.touches(6, 8) and not changes.touches(9, 9)
    assert changes.touches(8, 9)  # lines were deleted between 8 and 9, inside this sentence
    assert FileChanges(whole=True).touches(1, 1)


def test_changed_lines_against_a_revision(repo):
    (repo / "a.txt").write_text("one\nTWO\nthree\nfive\nsix\n")
    (repo / "new.txt").write_text("brand new\n")
    changes = changed_since("HEAD", ["a.txt", "same.txt", "new.txt", "missing.txt"])
    assert changes["a.txt"].lines == {2, 5} and changes["a.txt"].gaps == {3}
    assert not changes["same.txt"].any
    assert changes["new.txt"].whole  # untracked
    assert changes["missing.txt"].whole  # left for the runner to report as a file error


def test_staged_and_committed_changes_both_count(repo):
    (repo / "same.txt").write_text("unchanged\nadded\n")
    git(repo, "commit", "-qam", "second")
    assert changed_since("HEAD~1", ["same.txt"])["same.txt"].lines == {2}
    assert not changed_since("HEAD", ["same.txt"])["same.txt"].any


def test_bad_revision_and_no_repository_are_clear_errors(repo, tmp_path):
    with pytest.raises(ChangesError, match="'no-such-rev' is not a known revision"):
        changed_since("no-such-rev", ["a.txt"])
    with pytest.raises(ChangesError, match="'--output' is not a known revision"):
        changed_since("--output", ["a.txt"])
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text("x\n")
    with pytest.raises(ChangesError, match="not inside a git repository"):
        changed_since("HEAD", [str(outside / "b.txt")])
