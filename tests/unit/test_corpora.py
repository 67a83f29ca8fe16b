"""The training paragraphs are kept apart from the corpora that measure accuracy."""

import re
from pathlib import Path

CORPORA = Path(__file__).parents[2] / "corpora"
HELD_OUT = ["clean/*.txt", "paragraphs/dev/*.txt", "seed/*.txt"]
TRAINING = ["paragraphs/train/*.txt", "paragraphs/train_stage2/*.txt", "paragraphs/pending/*.txt"]
MAX_SHARED = 0.3  # formulaic news phrases ("fell to a record low against") reach 0.25


def five_grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}


def paragraphs(patterns: list[str]):
    for pattern in patterns:
        for path in sorted(CORPORA.glob(pattern)):
            for paragraph in path.read_text("utf-8").split("\n\n"):
                if paragraph.strip():
                    yield path.relative_to(CORPORA), paragraph


def test_no_training_paragraph_copies_held_out_text():
    held_out = set().union(*(five_grams(p) for _, p in paragraphs(HELD_OUT)))
    checked, copied = 0, []
    for path, paragraph in paragraphs(TRAINING):
        grams = five_grams(paragraph)
        checked += 1
        if grams and len(grams & held_out) / len(grams) > MAX_SHARED:
            copied.append(f"{path}: {paragraph[:60]}")
    assert checked > 4000 and not copied, copied


def test_the_overlap_measure_catches_a_copy():
    text = next(p for _, p in paragraphs(["clean/*.txt"]))
    assert len(five_grams(text) & five_grams("Intro. " + text)) / len(five_grams(text)) > MAX_SHARED
