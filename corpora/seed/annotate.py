"""Build seed.jsonl: the team's annotation of the seed article.

Offsets are computed from the exact wrong phrases below so they stay right;
run `python corpora/seed/annotate.py` after editing the list.

Two annotation types:
- inversion: the sentence says something other than (often the opposite of)
  what was meant. These are the targets of the SI rules.
- garble: the meaning is muddled but not reversed. Flags there count neither
  as hits nor as false alarms.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
ARTICLE = HERE / "000_33b904c69182b1ca.txt"

ANNOTATIONS = [
    # (type, family, wrong phrase, intended phrase, note)
    ("inversion", "modality", "denounced his fellow opposition activist or chose to go to jail",
     "was told to denounce his fellow opposition activist or go to jail",
     "an ultimatum (denounce or go to jail) turned into an act and a free choice"),
    ("inversion", "term", "civilized battle", "civilizational battle",
     "'civilized' (polite) for 'civilizational'"),
    ("inversion", "polarity", "against freedom", "for freedom",
     "the volunteers fight for freedom, not against it"),
    ("inversion", "term", "as their brotherhood", "as their brothers",
     "an abstract noun for the people: Belarusians regard Ukrainians as brothers"),
    ("inversion", "entity", "described him as", "described Putin as",
     "'him' has no antecedent; the brother is Putin, named later in the sentence"),
    ("inversion", "polarity", "war refugees in Ukraine", "war refugees from Ukraine",
     "Poland is a home for refugees from Ukraine, not in it"),
    ("inversion", "entity", "Prokofiev", "Prokopiev", "the same man is Prokopiev everywhere else"),
    ("inversion", "term", "evidence of the foul", "evidence of foul play", "truncated idiom"),
    ("inversion", "role", "he committed the crime", "he was murdered",
     "the dead man is made the perpetrator; the family believes he was murdered"),
    ("inversion", "modality", "He died on the grounds that", "He was killed because",
     "a killing turned into a death with a pretext"),
    ("garble", "role", "training as a recruit", "training recruits", "who trains whom is muddled"),
    ("garble", "role", "interviewed him while overseeing training", "interviewed him while he oversaw training",
     "dangling modifier"),
    ("garble", "term", "who organized recruit Kastus Kalinouski", "who organized recruitment for Kastus Kalinouski",
     "garbled phrase"),
    ("garble", "term", "suffered burns and most of his hearing loss in one ear",
     "suffered burns and lost most of the hearing in one ear", "garbled phrase"),
    ("garble", "term", "He described his troops as regiments. That said,",
     "He described his troop as a regiment, saying", "garbled sentences"),
    ("garble", "modality", "widely known as fraudulent", "widely seen as fraudulent",
     "an opinion stated as a known fact"),
    ("garble", "modality", "must be prepared and the Belarusian security forces need to turn their backs",
     "must be prepared for when the Belarusian security forces turn their backs",
     "a condition turned into an obligation"),
    ("garble", "term", "in Warsaw, a Belarusian house", "at a Belarusian house in Warsaw",
     "apposition makes Warsaw a house"),
]


def main() -> None:
    text = ARTICLE.read_text("utf-8")
    notes = []
    for kind, family, wrong, intended, note in ANNOTATIONS:
        assert text.count(wrong) == 1, f"not exactly once: {wrong!r}"
        start = text.index(wrong)
        notes.append({"start": start, "end": start + len(wrong), "type": kind, "family": family,
                      "wrong": wrong, "intended": intended, "note": note})
    record = {"id": "seed-000_33b904c69182b1ca", "source": "seed", "domain": "news", "text": text,
              "annotations": sorted(notes, key=lambda n: n["start"])}
    (HERE / "seed.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(notes)} annotations written to {HERE / 'seed.jsonl'}")


if __name__ == "__main__":
    main()
