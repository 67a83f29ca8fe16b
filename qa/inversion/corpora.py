"""Evaluation corpora derived from corpora/: written once, committed, rebuilt by `qa train corpora`."""

from __future__ import annotations

import json
from pathlib import Path

from qa.engines.languagetool import write_atomic_text
from qa.inversion.lexicon import lexicon_dir
from qa.inversion.perturb import build_corpus, garble_records

DEV_PERTURBED_SHARE = 0.5


def write_eval_corpora(seed: int) -> list[tuple[Path, int]]:
    from qa.inversion.detector import Detector

    root = lexicon_dir().parent
    detector = Detector()
    outputs = []
    dev = list(build_corpus(sorted((root / "paragraphs" / "dev").glob("*.txt")), detector, seed,
                            DEV_PERTURBED_SHARE, "dev"))
    garbles = list(garble_records(root / "garbles" / "mt_garbles.jsonl", "dev"))
    for name, records in (("inversion_dev.jsonl", dev), ("garbles_dev.jsonl", garbles)):
        path = root / "dev" / name
        write_atomic_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        outputs.append((path, len(records)))
    return outputs
