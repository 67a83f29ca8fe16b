"""What `qa train inversion` reads: paragraphs for both stages, and other genres for stage 2 only."""

import json

import pytest

from qa.inversion import train

NEWS = ("The council approved the new budget on Tuesday. Spending on roads will rise by 4 percent.\n\n"
        "The striker scored twice as the home side won the final. The visitors did not reply.\n")
FICTION = "She closed the door quietly. The house was not empty, but nobody answered her call.\n"
GARBLES = [{"id": "g1", "domain": "news", "family": "polarity", "wrong": "against",
            "intended": "for", "text": "The minister spoke against the reform that she had proposed."},
           {"id": "g3", "domain": "news", "family": "polarity", "wrong": "lost",
            "intended": "won", "text": "The team lost the cup after beating every rival."}]


@pytest.fixture(scope="module")
def detector():
    from qa.inversion.detector import Detector

    return Detector()


def corpora(root, with_stage2: bool):
    (root / "paragraphs" / "train").mkdir(parents=True)
    (root / "paragraphs" / "train" / "news.txt").write_text(NEWS)
    if with_stage2:
        (root / "paragraphs" / "train_stage2").mkdir()
        (root / "paragraphs" / "train_stage2" / "fiction.txt").write_text(FICTION)
    (root / "garbles").mkdir()
    (root / "garbles" / "mt_garbles.jsonl").write_text("".join(json.dumps(g) + "\n" for g in GARBLES))
    return root


def records(monkeypatch, detector, root):
    monkeypatch.setattr(train, "CORPORA", root)
    return train.training_records(detector, seed=13, log=lambda _: None)


def test_other_genres_are_marked_for_stage2_only(monkeypatch, detector, tmp_path):
    found = records(monkeypatch, detector, corpora(tmp_path, with_stage2=True))
    stage2_only = [r for r in found if r.get("stage2_only")]
    assert {r["text"] for r in stage2_only if not r["annotations"]} == {FICTION.strip()}
    assert all(r["group"] == "stage2:fiction-0" for r in stage2_only)
    both = [r for r in found if not r.get("stage2_only")]
    assert {r["text"] for r in both if r["source"] == "clean"} >= set(NEWS.strip().split("\n\n"))
    assert [r["id"] for r in both if r["source"] == "garble"] == ["g1"]  # g3 is the dev split


def test_stage2_paragraphs_leave_the_other_records_as_they_were(monkeypatch, detector, tmp_path):
    """They are read last, so the seeded perturbations of the news paragraphs do not move."""
    without = records(monkeypatch, detector, corpora(tmp_path / "a", with_stage2=False))
    with_them = records(monkeypatch, detector, corpora(tmp_path / "b", with_stage2=True))
    assert [r for r in with_them if not r.get("stage2_only")] == without
    assert len(with_them) > len(without)
