"""Derive the compact antonym table (antonyms_wordnet.tsv) from WordNet 3.0.

Run once, where Debian's `wordnet-base` is installed:
    python corpora/lexicon/build_antonyms.py [/usr/share/wordnet]
The table is committed with WordNet's licence (WORDNET-LICENSE); qa reads only the
table, never WordNet itself. Only single-word lemmas with a direct antonym
pointer ("!") are kept; the sense's tag count (frequency in semantically tagged
text) is kept so rare senses can be weighted down.
"""

import sys
from pathlib import Path

POS = {"adj": "ADJ", "adv": "ADV", "noun": "NOUN", "verb": "VERB"}
POS_LETTER = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}


def read_synsets(root: Path, kind: str) -> dict[int, list[str]]:
    synsets = {}
    for line in (root / f"data.{kind}").read_text("latin-1").splitlines():
        if line.startswith("  "):
            continue
        parts = line.split()
        offset, count = int(parts[0]), int(parts[3], 16)
        synsets[offset] = [parts[4 + 2 * i].split("(")[0].lower() for i in range(count)]
    return synsets


def tag_counts(root: Path) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for line in (root / "cntlist.rev").read_text("latin-1").splitlines():
        sense_key, _, count = line.split()
        lemma, rest = sense_key.split("%")
        kind = {"1": "noun", "2": "verb", "3": "adj", "4": "adv", "5": "adj"}[rest[0]]
        counts[(lemma, kind)] = counts.get((lemma, kind), 0) + int(count)
    return counts


def main(root: Path) -> None:
    counts = tag_counts(root)
    pairs = set()
    synsets = {k: read_synsets(root, k) for k in POS}
    for kind in POS:
        for line in (root / f"data.{kind}").read_text("latin-1").splitlines():
            if line.startswith("  "):
                continue
            parts = line.split()
            words = synsets[kind][int(parts[0])]
            n_words = int(parts[3], 16)
            pointer_at = 4 + 2 * n_words
            for i in range(int(parts[pointer_at])):
                symbol, target, target_pos, source_target = parts[pointer_at + 1 + 4 * i: pointer_at + 5 + 4 * i]
                if symbol != "!":
                    continue
                source, target_word = int(source_target[:2], 16), int(source_target[2:], 16)
                word = words[source - 1]
                other = synsets[POS_LETTER[target_pos]][int(target)][target_word - 1]
                if "_" in word or "_" in other or word == other:
                    continue
                pairs.add((word, POS[kind], other))
    out = Path(__file__).with_name("antonyms_wordnet.tsv")
    rows = ["lemma\tpos\tantonym\ttag_count"]
    for word, pos, other in sorted(pairs):
        kind = {v: k for k, v in POS.items()}[pos]
        rows.append(f"{word}\t{pos}\t{other}\t{counts.get((word, kind), 0)}")
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{out}: {len(pairs)} pairs")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"))
