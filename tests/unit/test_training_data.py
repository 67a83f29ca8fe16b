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


def test_the_default_threshold_is_chosen_in_steps_of_a_hundredth():
    """The best F1 with at most 1 flag per 100 clean sentences. Only thresholds of 0.47 and 0.48
    keep the inversion scored 0.48 and drop the clean sentence scored 0.46 (F1 0.8); steps of
    0.05 would try 0.45 (F1 0.67), 0.50 (0.5) or 0.30 and below (0.75)."""
    from types import SimpleNamespace

    scores = {0: (0.9, 1), 1: (0.48, 1), 2: (0.3, 1), 3: (0.46, 0), 4: (0.40, 0)}
    rows = [("r", "g", SimpleNamespace(sentence=s), y) for s, (_, y) in scores.items()]
    analyses = [({}, SimpleNamespace(sentences=[None] * 203), {0: "", 1: "", 2: ""})]
    threshold, sweep = train.choose_threshold(rows, [p for p, _ in scores.values()], analyses)
    assert threshold == 0.47
    assert next(row for row in sweep if row["threshold"] == 0.47)["recall"] == round(2 / 3, 3)
