"""The model card committed next to the trained inversion classifier."""

from __future__ import annotations

import json
from pathlib import Path

from qa.engines.languagetool import write_atomic_text
from qa.inversion.features import CHEAP_FEATURES, MODEL_FEATURES
from qa.inversion.model import MODEL_DIR, threshold_for_budget


def write_card(metadata: dict, path: Path = MODEL_DIR / "MODEL_CARD.md") -> Path:
    lm_context = metadata.get("lm_context", 1)
    context = ("the running text of its paragraph before it" if lm_context == "running" else
               "the sentence before it" if lm_context == 1 else f"the {lm_context} sentences before it")
    layers = metadata.get("state_layers", [])
    best = next((row for row in metadata["cv_sweep"] if row["threshold"] == metadata["threshold"]), {})
    lines = [
        "# qa inversion classifier",
        "",
        "Predicts, for a candidate reading of a sentence, the probability that it is what the writer",
        "meant, i.e. that the sentence as written is a semantic inversion. Used by the SI rules.",
        "",
        "## Rebuild",
        "",
        f"    make setup && {_precision_prefix(metadata)}.venv/bin/qa train inversion{_budget_option(metadata)}",
        "",
        f"Seed {metadata['seed']}; scikit-learn {metadata['sklearn']}; Python {metadata['python']}; "
        f"trained {metadata['trained']} in {metadata['seconds']} s on a 2-core CPU. "
        f"File id {metadata.get('file_id', '?')}.",
        "",
        "## Data",
        "",
        "- every paragraph of `corpora/paragraphs/train/` (news, courts and crime, politics, business,",
        "  health, science, sport, conflict), once clean and once with one automatic perturbation",
        "  (qa/inversion/perturb.py) whose original wording is the gold reading;",
        "- the train split of the hand-annotated MT garbles (`corpora/garbles/mt_garbles.jsonl`, ids not",
        "  divisible by 3), garbled and corrected;",
        "- for stage 2 only, every paragraph of `corpora/paragraphs/train_stage2/` (fiction, instructions,",
        "  software documentation, reviews, essays and letters, reference prose), clean and perturbed.",
        "",
        f"Records: {json.dumps(metadata['records'])}; for stage 2 only: "
        f"{json.dumps(metadata.get('stage2_only_records', {}))}. Candidates generated: {metadata['candidates']}; "
        f"the gold reading was among them for {metadata['gold_coverage']:.1%} of annotated sentences.",
        "",
        "## Model",
        "",
        f"Stage 1: histogram gradient boosting on cheap features, threshold {metadata['stage1_threshold']:.3f}",
        f"(at most {metadata.get('stage1_budget', 0.2):.0%} of clean sentences reach stage 2; that budget sets the speed); it keeps "
        f"{metadata.get('stage1_gold_kept', float('nan')):.1%} of gold readings (CV). Stage 2: histogram gradient boosting,",
        f"isotonic calibration (5-fold), on {metadata['stage2_rows']} stage-1 survivors "
        f"({metadata['stage2_positives']} gold). Default threshold {metadata['threshold']:.2f}.",
        *_budget_table(metadata),
        "",
        f"Cheap features: {', '.join(CHEAP_FEATURES)}.",
        "",
        f"Model features: {', '.join(MODEL_FEATURES)}. The LM read each sentence after {context}, "
        f"in {metadata.get('lm_precision', 'float32')}. lm_state is a logistic regression "
        f"(C {metadata.get('state_probe_c', '?')}, standardised",
        f"inputs) on how the LM's hidden states move from the text to the reading: the last layer and layers",
        f"{' and '.join(map(str, layers))}, at the sentence's last token and averaged "
        f"from the edit on (2 x {len(layers) + 1} x 576 numbers).",
        "Its training values are out-of-fold (5 grouped folds), so stage 2 never sees a probe fitted to the same row.",
        "",
        "## Metrics (5-fold grouped cross-validation on the training data, sentence level)",
        "",
        f"At the default threshold: precision {best.get('precision')}, recall {best.get('recall')}, "
        f"F1 {best.get('f1')}, {best.get('clean_flags_per_100')} flags per 100 clean sentences.",
        "",
        "Single-feature ROC AUC on stage-2 rows (the whole sentence given its context, the edited words",
        "alone, and only the words after the edit, and others): " + ", ".join(f"{k} {v}" for k, v in metadata["ablation"].items()) + ".",
        "",
        "Held-out numbers (dev set, garbles dev split, seed article, clean prose) come from `qa eval`",
        "and are in the README.",
        "",
        "## Limits",
        "",
        "English only. Trained on the project's own paragraphs and perturbations; real MT errors outside",
        "the lexicon's kinds are found only when the context makes the intended reading clearly more",
        "likely under a 135M-parameter LM. Precision is favoured over recall.",
    ]
    write_atomic_text(path, "\n".join(lines) + "\n")
    return path


def _budget_option(metadata: dict) -> str:
    """An experiment trained with another stage-1 budget says so in its rebuild command."""
    from qa.inversion.train import STAGE1_BUDGET

    budget = metadata.get("stage1_budget", STAGE1_BUDGET)
    return "" if budget == STAGE1_BUDGET else f" --budget {budget:g}"


def _precision_prefix(metadata: dict) -> str:
    """A model trained in float32 says so: on a CPU with fast bfloat16 the LM would run in that."""
    return "QA_LM_FLOAT32=1 " if metadata.get("lm_precision") == "float32" else ""


def _budget_table(metadata: dict) -> list[str]:
    """Stage-1 thresholds for other budgets, which `[inversion] budget` picks at run time."""
    table = metadata.get("stage1_budgets")
    if not table:
        return []
    shown = ", ".join(f"{budget:.0%} {threshold_for_budget(table, budget):.3f}" for budget in (0.25, 0.3, 0.4, 0.5))
    return [f"Stage-1 thresholds for other budgets (`[inversion] budget`, 0.01 to 1): {shown}."]
