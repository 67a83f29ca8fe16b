"""Gold readings: the sentence as the writer meant it, shared by training and evaluation."""

from __future__ import annotations


def normalize(text: str) -> str:
    return " ".join(text.casefold().replace("“", '"').replace("”", '"').replace("’", "'").split())


def gold_sentence(doc, index: int, note: dict) -> str:
    sentence = doc.sentences[index]
    return doc.text[sentence.start:note["start"]] + note["intended"] + doc.text[note["end"]:sentence.end]


def gold_sentences(record: dict, doc) -> dict[int, str]:
    """Sentence index -> intended sentence, for each annotated inversion of a record."""
    gold = {}
    for note in record.get("annotations", ()):
        if note.get("type", "inversion") == "inversion":
            index = doc.sentence_at(note["start"])
            gold[index] = gold_sentence(doc, index, note)
    return gold


def is_gold(candidate, sentence_text: str, gold: str | None) -> bool:
    return gold is not None and normalize(candidate.apply(sentence_text)) == normalize(gold)
