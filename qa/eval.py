"""`qa eval CORPUS...`: precision, recall and F1 of the inversion checks on annotated corpora.

Corpora are JSONL (format in corpora/README.md) or plain .txt files and
directories, which count as clean text (every sentence a negative).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from qa.document import parse
from qa.inversion.gold import gold_sentence, normalize

SWEEP = [round(0.05 * i, 2) for i in range(2, 20)]
# Why an annotated sentence was missed, in cascade order: candidate generation, the stage-1
# filter (or, in thorough mode, not among the sentence's best spans), the classifier.
NO_CANDIDATE, NOT_READ, BELOW_THRESHOLD = "no candidate", "not read by the LM", "scored below threshold"
MISS_REASONS = (NO_CANDIDATE, NOT_READ, BELOW_THRESHOLD)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Results:
    sentences: int = 0
    positives: int = 0
    clean_sentences: int = 0
    clean_flags: int = 0
    sentence: Tally = field(default_factory=Tally)
    span: Tally = field(default_factory=Tally)
    per_rule: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_family_recall: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    annotations: int = 0
    covered: int = 0
    intended_top3: int = 0
    detected_annotations: int = 0
    points: list[tuple[float, int]] = field(default_factory=list)  # (max probability, label) per sentence
    misses: list[str] = field(default_factory=list)
    miss_reasons: Counter = field(default_factory=Counter)  # MISS_REASONS -> missed annotated sentences
    false_alarms: list[str] = field(default_factory=list)


def read_corpus(path: Path) -> Iterable[dict]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.suffix in (".jsonl", ".txt"):
                yield from read_corpus(child)
    elif path.suffix == ".jsonl":
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: invalid JSON ({error.msg})") from None
    else:
        yield {"id": str(path), "text": path.read_text("utf-8"), "source": "clean", "annotations": []}


EVAL_BATCH = 32  # records the LM reads together: one short record alone fills a batch poorly


def _analyzed(records: Iterable[dict], detector):
    records = list(records)
    for start in range(0, len(records), EVAL_BATCH):
        batch = records[start:start + EVAL_BATCH]
        docs = [parse(r["text"]) for r in batch]
        yield from zip(batch, docs, detector.analyze_many(docs))


def evaluate(records: Iterable[dict], detector, threshold: float,
             progress: Callable[[], None] | None = None) -> Results:
    from qa.checks.inversion import BY_FAMILY, issues_from_analysis

    family_of_rule = {rule.code: family for family, rule in BY_FAMILY.items()}
    results = Results()
    for record, doc, analysis in _analyzed(records, detector):
        issues = issues_from_analysis(analysis, threshold)
        notes = record.get("annotations", [])
        inversions = [n for n in notes if n.get("type", "inversion") == "inversion"]
        garbled = {doc.sentence_at(n["start"]) for n in notes if n.get("type") == "garble"}
        labelled = defaultdict(list)
        for note in inversions:
            labelled[doc.sentence_at(note["start"])].append(note)
        flagged = defaultdict(list)
        for issue in issues:
            flagged[issue.sentence].append(issue)
        for index in range(len(doc.sentences)):
            text = doc.sentence_text(index)
            best = max((s.probability for s in analysis.scored[index]), default=0.0)
            if index in garbled and index not in labelled:
                continue  # garbled but not an inversion: neither a hit nor a false alarm
            label = int(index in labelled)
            results.sentences += 1
            results.points.append((best, label))
            hit = bool(flagged[index])
            if label:
                results.positives += 1
                if hit:
                    results.sentence.tp += 1
                else:
                    results.sentence.fn += 1
                    reason, detail = miss_reason(analysis.scored[index], text,
                                                 [gold_sentence(doc, index, n) for n in labelled[index]])
                    results.miss_reasons[reason] += 1
                    results.misses.append(f"{text}  [{detail}]")
            else:
                results.clean_sentences += 1
                if hit:
                    results.sentence.fp += 1
                    results.clean_flags += 1
                    results.false_alarms.append(f"{text}  [{', '.join(i.rule for i in flagged[index])}]")
            for rule in {i.rule for i in flagged[index]}:
                results.per_rule[rule].tp += label
                results.per_rule[rule].fp += 1 - label
            for note in labelled.get(index, ()):
                tally = results.per_family_recall[note.get("family", "?")]
                tally.tp += int(hit)
                tally.fn += int(not hit)
            for note in labelled.get(index, ()):
                results.annotations += 1
                gold = gold_sentence(doc, index, note)
                if any(normalize(s.candidate.apply(text)) == normalize(gold) for s in analysis.scored[index]):
                    results.covered += 1
                overlapping = [i for i in flagged[index] if i.start < note["end"] and note["start"] < i.end]
                if overlapping:
                    results.detected_annotations += 1
                    if any(_suggestion_matches(doc, i, s, gold, note) for i in overlapping
                           for s in i.suggestions[:3]):
                        results.intended_top3 += 1
        for note in inversions:
            matched = any(i.start < note["end"] and note["start"] < i.end for i in issues)
            results.span.tp += int(matched)
            results.span.fn += int(not matched)
        results.span.fp += sum(1 for i in issues if not any(
            i.start < n["end"] and n["start"] < i.end for n in inversions))
        if progress:
            progress()
    for rule, tally in results.per_rule.items():  # recall per rule = recall of its own family
        family = family_of_rule[rule]
        tally.fn = results.per_family_recall[family].fn
    return results


def miss_reason(scored, text: str, golds: list[str]) -> tuple[str, str]:
    """Where the cascade lost a missed sentence's intended reading: (one of MISS_REASONS, detail)."""
    wanted = {normalize(g) for g in golds}
    readings = [s for s in scored if normalize(s.candidate.apply(text)) in wanted]
    if not readings:
        return NO_CANDIDATE, NO_CANDIDATE
    read = [s for s in readings if s.model is not None]
    if not read:
        return NOT_READ, f"{NOT_READ}, stage 1 {max(s.stage1 for s in readings):.2f}"
    best = max(read, key=lambda s: s.probability)
    span = text[best.candidate.start:best.candidate.end]
    return BELOW_THRESHOLD, f"{BELOW_THRESHOLD}, {best.probability:.2f}: {span!r} -> {best.candidate.replacement!r}"


def _suggestion_matches(doc, issue, suggestion: str, gold: str, note: dict) -> bool:
    sentence = doc.sentences[issue.sentence]
    reading = doc.text[sentence.start:issue.start] + suggestion + doc.text[issue.end:sentence.end]
    return normalize(reading) == normalize(gold) or normalize(suggestion) == normalize(note["intended"])


def sweep(points: list[tuple[float, int]], clean_sentences: int) -> list[dict]:
    rows = []
    positives = sum(label for _, label in points)
    for threshold in SWEEP:
        tp = sum(1 for p, y in points if p >= threshold and y)
        fp = sum(1 for p, y in points if p >= threshold and not y)
        tally = Tally(tp, fp, positives - tp).scores()
        rows.append({"threshold": threshold, **{k: tally[k] for k in ("precision", "recall", "f1")},
                     "clean_flags_per_100": round(100 * fp / max(clean_sentences, 1), 2)})
    return rows


def calibration_error(points: list[tuple[float, int]], bins: int = 10) -> float:
    """Expected calibration error of the sentence-level probability (max over candidates)."""
    groups: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for p, y in points:
        groups[min(int(p * bins), bins - 1)].append((p, y))
    total = len(points) or 1
    return round(sum(len(g) / total * abs(sum(p for p, _ in g) / len(g) - sum(y for _, y in g) / len(g))
                     for g in groups.values()), 4)


def summary(results: Results, threshold: float) -> dict:
    return {
        "threshold": threshold,
        "sentences": results.sentences,
        "inversion_sentences": results.positives,
        "clean_sentences": results.clean_sentences,
        "sentence_level": results.sentence.scores(),
        "span_level": results.span.scores(),
        "per_rule": {rule: results.per_rule[rule].scores() for rule in sorted(results.per_rule)},
        "recall_per_family": {f: t.scores()["recall"] for f, t in sorted(results.per_family_recall.items())},
        "annotations": results.annotations,
        "candidate_coverage": round(results.covered / max(results.annotations, 1), 3),
        "miss_reasons": {reason: results.miss_reasons[reason] for reason in MISS_REASONS},
        "intended_in_top3": round(results.intended_top3 / max(results.detected_annotations, 1), 3),
        "clean_flags_per_100": round(100 * results.clean_flags / max(results.clean_sentences, 1), 2),
        "calibration_error": calibration_error(results.points),
        "sweep": sweep(results.points, results.clean_sentences),
    }


def render(name: str, data: dict, results: Results, show_errors: int = 0) -> str:
    s, sp = data["sentence_level"], data["span_level"]
    lines = [
        f"== {name}: {data['sentences']} sentences ({data['inversion_sentences']} with an inversion, "
        f"{data['clean_sentences']} clean), threshold {data['threshold']:.2f}{_reach(data)}",
        f"sentence level  P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
        f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']})",
        f"span level      P {sp['precision']:.3f}  R {sp['recall']:.3f}  F1 {sp['f1']:.3f}",
        f"clean false alarms: {data['clean_flags_per_100']:.2f} per 100 clean sentences",
        f"candidate coverage (gold reading generated): {data['candidate_coverage']:.1%}; "
        f"intended wording in top 3 (of detected): {data['intended_in_top3']:.1%}; "
        f"calibration error (ECE): {data['calibration_error']:.3f}",
    ]
    if s["fn"]:
        lines.append(f"missed sentences: {s['fn']} (" + ", ".join(
            f"{reason} {n}" for reason, n in data["miss_reasons"].items()) + ")")
    if data["per_rule"]:
        lines.append("per rule (precision over its flags, recall over its family):")
        for rule, t in data["per_rule"].items():
            lines.append(f"  {rule}  P {t['precision']:.3f}  R {t['recall']:.3f}  F1 {t['f1']:.3f}  "
                         f"flags {t['tp'] + t['fp']}")
    if data["recall_per_family"]:
        lines.append("recall per annotated family: " + ", ".join(
            f"{f} {r:.2f}" for f, r in data["recall_per_family"].items()))
    lines.append("threshold sweep:  thr    P      R      F1   clean/100")
    for row in data["sweep"]:
        lines.append(f"                 {row['threshold']:.2f}  {row['precision']:.3f}  {row['recall']:.3f}  "
                     f"{row['f1']:.3f}  {row['clean_flags_per_100']:6.2f}")
    for title, items in (("missed", results.misses), ("false alarms", results.false_alarms)):
        if show_errors and items:
            lines.append(f"{title} (first {show_errors}):")
            lines += [f"  - {t}" for t in items[:show_errors]]
    return "\n".join(lines) + "\n"


def _reach(data: dict) -> str:
    """Which sentences the LM read: every one's best spans, or the stage-1 budget's share."""
    if data.get("thorough"):
        return ", thorough"
    return f", stage-1 budget {data['stage1_budget']:.2f}" if data.get("stage1_budget") else ""
