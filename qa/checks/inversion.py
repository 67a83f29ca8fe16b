"""SI rules: sentences whose meaning was flipped, with the likely intended wording.

The detector (qa/inversion/) proposes candidate readings and a calibrated
classifier gives each the probability that it is what the writer meant; the
issue's confidence is that probability. Models load once per run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from qa.document import Document
from qa.issue import Category, Issue, Severity
from qa.registry import Rule

_DOC_EXAMPLE = "Run `qa eval corpora/seed/seed.jsonl` to see the detector on the annotated seed article."


def _rule(code: str, kind: str, summary: str, what: str, example: str, severity=Severity.MAJOR) -> Rule:
    return Rule(code, f"inversion.{kind}", Category.ACCURACY_MISTRANSLATION, severity, 0.5, summary, {
        "what": what,
        "why": "Machine translation, round trips above all, produces fluent sentences that say "
               "something else, often the opposite. Spell and grammar checkers pass them.",
        "example": example,
        "fix": "Compare with the source or the surrounding sentences; the issue's `intended` field "
               "holds the most likely intended sentence and `suggestions` the best readings for the "
               "span. Severity is critical when the reading flips a claim about a person or an "
               "event. " + _DOC_EXAMPLE})


POLARITY = _rule("SI001", "polarity_flip", "An opposite word or preposition reverses the claim.",
                 "Antonym and polarity flips: for/against, increase/decrease, win/lose, accept/refuse, "
                 "hire/fire, import/export, pro-/anti-, refugees 'in' a country they fled 'from'. A word "
                 "coordinated with its opposite ('buy and sell', 'affected and unaffected') is left alone.",
                 "Sales rose after demand fell.  ->  Sales fell after demand fell.")
NEGATION = _rule("SI002", "negation", "A negation was dropped or added.",
                 "Negation inserted or removed, never/always, 'no evidence' vs 'evidence', "
                 "'failed to' vs 'managed to'. Negated commands ('Do not delete the cache') and "
                 "questions ('Should it not stop?') are left alone.",
                 "A visa is required.  ->  A visa is not required.")
ROLE = _rule("SI003", "role_reversal", "Who did what to whom is reversed.",
             "Agent and patient, or victim and perpetrator, swapped: 'was murdered' -> 'committed "
             "the crime', 'was sued by its customers' -> 'sued its customers'.",
             "He was convinced his brother committed the crime.  ->  ... his brother was murdered.",
             Severity.CRITICAL)
MODALITY = _rule("SI004", "modality", "An ultimatum, possibility or cause became an act or a reason.",
                 "Modality and event garbles: 'was told to denounce them or go to jail' -> "
                 "'denounced them or chose to go to jail'; 'was killed because' -> 'died on the "
                 "grounds that'; rumours turned into certainties.",
                 "She denounced him or chose prison.  ->  She was told to denounce him or go to prison.",
                 Severity.CRITICAL)
TERM = _rule("SI005", "garbled_term", "A garbled term or idiom loses the meaning.",
             "Known kinds of garbled terms and idioms (corpora/lexicon/garbles.yml): truncated "
             "idioms ('the foul' for 'foul play'), derivational mix-ups ('civilized' for "
             "'civilizational'), abstract nouns for people ('their brotherhood'); and any look-alike "
             "word from the same root with another meaning (corpora/lexicon/paronyms.tsv: "
             "'ingenuous' for 'ingenious', 'successful' for 'successive').",
             "No evidence of the foul.  ->  No evidence of foul play.")
ENTITY = _rule("SI006", "entity_drift", "A name changes spelling, or a pronoun points at the wrong person.",
               "Entity drift inside one document: the same person spelled two ways (transliteration "
               "variants), or a name replaced by a pronoun that has no antecedent.",
               "Prokopiev ... Prokofiev  ->  Prokopiev ... Prokopiev")

RULES = (POLARITY, NEGATION, ROLE, MODALITY, TERM, ENTITY)
BY_FAMILY = {"polarity": POLARITY, "negation": NEGATION, "role": ROLE, "modality": MODALITY,
             "term": TERM, "entity": ENTITY}
MAX_SUGGESTIONS = 3
WINDOW = 2000  # sentences analysed at once (about 70 MB of parses and features)
PARAGRAPH_REACH = 50  # sentences a window reaches back for the start of its first paragraph


class InversionCheck:
    family = "inversion"
    context = "document"  # entity drift compares names across the whole text

    def __init__(self, config, engines) -> None:
        from qa.inversion.model import MODEL_PATH, ModelError, file_id

        if not MODEL_PATH.is_file():
            raise ModelError(f"inversion model not found at {MODEL_PATH}; run `qa train inversion`")
        self.model_id = file_id(MODEL_PATH)
        self.configured_threshold = float(config.section("inversion")["threshold"])  # 0: the model's
        self.threshold = self.configured_threshold or None  # known once the model is loaded
        self.thorough = bool(config.section("inversion")["thorough"])
        self.budget = float(config.section("inversion")["budget"]) or None  # 0: the model's
        self.vocabulary = frozenset(getattr(getattr(engines, "vocabulary", None), "exact", ()))
        self._detector = None

    @property
    def models(self) -> dict[str, str]:
        from qa.engines import embeddings, lm, nlp

        return {"inversion_classifier": f"qa-inversion {self.model_id}", "lm": f"{lm.MODEL_ID}, {lm.precision()}",
                "embeddings": f"{embeddings.MODEL_ID}, {lm.precision()}", "parser": nlp.MODEL_PACKAGE}

    def cache_key(self) -> str:
        from qa.engines.lm import precision
        from qa.inversion.lexicon import lexicon_digest

        return (f"inversion {self.model_id} lexicon {lexicon_digest()} lm {precision()} "
                f"threshold {self.configured_threshold} thorough {self.thorough} budget {self.budget}")

    @property
    def detector(self):
        """Models load on first use, once per run (a fully cached run never loads them)."""
        if self._detector is None:
            from qa.inversion.detector import Detector
            from qa.inversion.model import load_model

            model = load_model()
            self.threshold = self.threshold or model.threshold
            self._detector = Detector(model, self.vocabulary, self.thorough, self.budget)
        return self._detector

    def check(self, doc: Document, progress=None, sentences=None) -> Iterator[Issue]:
        if not doc.sentences:
            return
        from qa.inversion.detector import CONTEXT_BEFORE

        total = len(doc.sentences)
        done = 0.0

        def advance(fraction: float) -> None:  # the runner counts characters
            nonlocal done
            if progress:
                progress(round((done + fraction) * len(doc.text)) - round(done * len(doc.text)))
            done += fraction

        # Long documents go in windows so memory stays bounded; each window also reads the
        # sentences around it for context. Name spellings are compared within a window.
        for low in range(0, total, WINDOW):
            high = min(low + WINDOW, total)
            first, last = _paragraph_start(doc, max(0, low - CONTEXT_BEFORE)), min(total, high + 1)
            part = doc if (first, last) == (0, total) else replace(
                doc, sentences=tuple(replace(s, index=i) for i, s in enumerate(doc.sentences[first:last])))
            share = (high - low) / total
            analysis = self.detector.analyze(part, lambda fraction: advance(fraction * share))
            for issue in issues_from_analysis(analysis, self.threshold):
                if low <= issue.sentence + first < high:
                    yield replace(issue, sentence=issue.sentence + first)
        advance(max(0.0, 1.0 - done))


def _paragraph_start(doc: Document, index: int) -> int:
    """The first sentence of index's paragraph, at most PARAGRAPH_REACH back: the LM reads
    whole paragraphs, so a window that starts mid-paragraph reads from the paragraph's start."""
    paragraph = doc.sentences[index].paragraph
    limit = max(0, index - PARAGRAPH_REACH)
    while index > limit and doc.sentences[index - 1].paragraph == paragraph:
        index -= 1
    return index


def issues_from_analysis(analysis, threshold: float) -> list[Issue]:
    """One issue per flagged span; suggestions are the best readings overlapping that span."""
    issues = []
    for sentence in analysis.scored:
        ranked = sorted((s for s in sentence if s.probability > 0), key=lambda s: -s.probability)
        flagged = []
        for item in ranked:
            if item.probability < threshold:
                break
            if not any(_overlaps(item.candidate, other.candidate) for other in flagged):
                flagged.append(item)
        if not flagged:
            continue
        index = flagged[0].sentence
        text = analysis.text(index)
        intended = text
        for item in sorted(flagged, key=lambda s: -s.candidate.start):
            intended = item.candidate.apply(intended)
        offset = analysis.doc.sentences[index].start
        for item in flagged:
            candidate = item.candidate
            # Scored readings of this span first, then unscored alternatives of the same span.
            same_span = sorted((s for s in sentence if (s.candidate.start, s.candidate.end) ==
                                (candidate.start, candidate.end) and s.probability == 0),
                               key=lambda s: -s.stage1)
            alternatives = [s for s in ranked if _overlaps(s.candidate, candidate)] + same_span
            suggestions = list(dict.fromkeys(s.candidate.replacement for s in alternatives))[:MAX_SUGGESTIONS]
            rule = BY_FAMILY[candidate.family]
            evidence = {"candidate_source": candidate.source, "prior": round(candidate.prior, 3),
                        "stage1": round(item.stage1, 4),
                        **{k: round(v, 4) for k, v in (item.model or {}).items()}}
            if item.evidence_sentence is not None:
                evidence["context_sentence"] = analysis.text(item.evidence_sentence)
                evidence["context_sentence_index"] = item.evidence_sentence
            if "entry" in candidate.info:
                evidence["lexicon_entry"] = candidate.info["entry"]
            issues.append(rule.issue(
                severity=_severity(item, analysis), confidence=item.probability,
                start=offset + candidate.start, end=offset + candidate.end, sentence=index,
                message=f"{rule.summary} Probably meant: “{suggestions[0]}”",
                suggestions=tuple(suggestions), intended=intended, evidence=evidence))
    return issues


def _overlaps(a, b) -> bool:
    return a.start < b.end and b.start < a.end


def _severity(item, analysis) -> Severity:
    """Critical when the reading flips a claim about a person or an event."""
    candidate = item.candidate
    if candidate.family in ("role", "modality") or candidate.source == "entity:dangling-pronoun":
        return Severity.CRITICAL
    sent = analysis.sentences[item.sentence]
    tokens = [t for t in sent if candidate.start <= t.idx < candidate.end]
    if candidate.family in ("negation", "polarity") and any(t.pos_ in ("VERB", "AUX") for t in tokens):
        return Severity.CRITICAL
    if candidate.family == "entity" and any(t.ent_type_ == "PERSON" for t in tokens):
        return Severity.CRITICAL
    return Severity.MAJOR


CHECK = InversionCheck
