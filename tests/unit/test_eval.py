import json

import pytest

from qa.eval import Tally, calibration_error, read_corpus, sweep


def test_tally_scores():
    assert Tally(8, 2, 2).scores() == {"precision": 0.8, "recall": 0.8, "f1": 0.8, "tp": 8, "fp": 2, "fn": 2}
    assert Tally().scores()["f1"] == 0.0


def test_sweep_counts_flags_per_threshold():
    points = [(0.9, 1), (0.6, 1), (0.55, 0), (0.2, 0), (0.0, 0)]
    rows = {r["threshold"]: r for r in sweep(points, clean_sentences=3)}
    assert rows[0.5]["precision"] == round(2 / 3, 3) and rows[0.5]["recall"] == 1.0
    assert rows[0.7]["precision"] == 1.0 and rows[0.7]["recall"] == 0.5
    assert rows[0.5]["clean_flags_per_100"] == round(100 / 3, 2)


def test_calibration_error():
    assert calibration_error([(1.0, 1), (0.0, 0)]) == 0.0
    assert calibration_error([(0.9, 0), (0.9, 0)]) == pytest.approx(0.9)


def test_corpus_reader_names_the_bad_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"text": "ok", "annotations": []}) + "\n{broken\n")
    with pytest.raises(ValueError, match=r"c\.jsonl:2: invalid JSON"):
        list(read_corpus(path))
    txt = tmp_path / "clean.txt"
    txt.write_text("All clean.")
    assert list(read_corpus(txt))[0]["annotations"] == []


def test_a_miss_is_put_down_to_the_first_stage_of_the_cascade_that_lost_it():
    from qa.eval import BELOW_THRESHOLD, NO_CANDIDATE, NOT_READ, miss_reason
    from qa.inversion.candidates import Candidate
    from qa.inversion.detector import Scored

    text = "He escaped to custody on Monday."
    gold = "He escaped from custody on Monday."
    to_from = Candidate("polarity", "opposite:table", 11, 13, "from", 0.3)
    negated = Candidate("negation", "negation:insert", 3, 10, "did not escape", 0.2)
    unread = Scored(0, to_from, {}, stage1=0.04)
    other = Scored(0, negated, {}, model={"lm_sentence": 1.0}, probability=0.7)

    assert miss_reason([other], text, [gold]) == (NO_CANDIDATE, NO_CANDIDATE)
    reason, detail = miss_reason([other, unread], text, [gold])
    assert reason == NOT_READ and "stage 1 0.04" in detail
    read = Scored(0, to_from, {}, model={"lm_sentence": 1.0}, stage1=0.5, probability=0.41)
    reason, detail = miss_reason([other, read], text, [gold])
    assert reason == BELOW_THRESHOLD and "0.41" in detail and "'to' -> 'from'" in detail


def test_the_report_says_how_much_the_lm_read():
    from qa.eval import Results, render, summary

    data = summary(Results(), 0.55)
    assert render("c", {**data, "stage1_budget": 0.4}, Results()).splitlines()[0].endswith(
        "threshold 0.55, stage-1 budget 0.40")
    assert render("c", {**data, "thorough": True, "stage1_budget": 0.4}, Results()).splitlines()[0].endswith(
        "threshold 0.55, thorough")
