"""The inversion detector: parse, generate candidates, score them in a cascade.

Stage 1 scores every candidate from cheap features, among them one LM read of
the running text (how surprising the written words are at the edit, and how
likely the reading's first different word would be there); only candidates above the
stage-1 threshold (at most MAX_SURVIVORS per sentence) get the expensive
evidence: the LM reads each of them in its sentence's place, continuing the same
pass's KV cache (so the reading has the running text of its paragraph as context
and costs only its own tokens), and embedding coherence with the surrounding
sentences. Stage 2 (a
calibrated classifier) turns all features into the probability that the
candidate is what the writer meant, i.e. that the sentence is an inversion.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

import numpy as np

from qa.document import Document
from qa.inversion.candidates import Candidate, CandidateGenerator
from qa.inversion.entities import dangling_pronouns, name_variants
from qa.inversion.features import (CHEAP_FEATURES, LMScores, cheap_features, model_features, probe,
                                   reading_features, vector)
from qa.inversion.lexicon import load_lexicon

CONTEXT_BEFORE = 2  # sentences of preceding context for embeddings and cues
MAX_SURVIVORS = 2  # spans per sentence that get LM and embedding evidence
THOROUGH_SURVIVORS = 2  # the same in thorough mode, where every sentence gets them (3 measured no better, 30% slower)
# Longer "sentences" are nearly always unsegmented text (tables, lists, a file without
# punctuation); reading them would cost the LM gigabytes, so they get no candidates.
MAX_SENTENCE_TOKENS = 150
PARALLEL_PARSE_MIN_SENTENCES = 200  # below this, parsing beside the LM's loading saves little


@dataclass
class Scored:
    sentence: int
    candidate: Candidate
    cheap: dict[str, float]
    model: dict[str, float] | None = None
    stage1: float = 0.0
    probability: float = 0.0
    evidence_sentence: int | None = None
    state: np.ndarray | None = field(default=None, repr=False)  # LM hidden-state contrast, for the model's probe
    versions: tuple | None = field(default=None, repr=False)  # the LM's Scored text and reading


@dataclass
class Analysis:
    doc: Document
    sentences: list  # spaCy Docs, one per Document sentence
    scored: list[list[Scored]] = field(default_factory=list)
    survivors: list[Scored] | None = None  # chosen by stage 1 (None: not run yet)

    def text(self, index: int) -> str:
        return self.doc.sentence_text(index)

    def context_before(self, index: int) -> list[int]:
        return list(range(max(0, index - CONTEXT_BEFORE), index))

    def next_index(self, index: int) -> int | None:
        return index + 1 if index + 1 < len(self.sentences) else None


class Detector:
    def __init__(self, model=None, vocabulary: frozenset[str] = frozenset(), thorough: bool = False,
                 budget: float | None = None) -> None:
        from qa.engines.nlp import load_spacy

        self.nlp = load_spacy()
        self.lexicon = load_lexicon()
        self.generator = CandidateGenerator(self.lexicon, self.nlp.vocab)
        self.model = model
        self.vocabulary = vocabulary
        self.thorough = thorough  # skip the stage-1 filter: slower, finds more polarity flips
        self.budget = budget  # share of clean sentences stage 1 sends to the LM; None: as trained
        if model is not None:
            model.stage1_threshold_for(budget)  # a budget the model cannot serve fails here, not mid-run

    # --- cheap stage --------------------------------------------------------------

    def prepare(self, doc: Document, progress: Callable[[int], None] | None = None) -> Analysis:
        return self.prepare_many([doc], progress)[0]

    def prepare_many(self, docs: Sequence[Document], progress: Callable[[int], None] | None = None
                     ) -> list[Analysis]:
        """Parse, generate candidates and compute cheap features; the LM reads all the documents'
        sentences in one batched pass. With a model, stage 1 runs as the LM reads, and the
        survivors are read in their sentence's place on the same pass (Analysis.survivors).
        progress, if given, receives the number of sentences read after each LM batch."""
        from qa.engines.lm import Reading, read_sentences

        analyses, slots = [], []  # slots: (analysis, sentence, [(candidate, probe)]) per sentence read
        texts = [[doc.text[s.start:s.end].replace("\n", " ") for s in doc.sentences] for doc in docs]
        parsed = iter(self._parse([text for doc_texts in texts for text in doc_texts]))
        for doc, doc_texts in zip(docs, texts):
            analysis = Analysis(doc, [next(parsed) for _ in doc_texts])
            analysis.scored = [[] for _ in analysis.sentences]
            checked = [len(s) <= MAX_SENTENCE_TOKENS for s in analysis.sentences]
            per_sentence = [self.generator.sentence_candidates(s) if ok else []
                            for s, ok in zip(analysis.sentences, checked)]
            for index, candidate in (*name_variants(analysis.sentences, self.vocabulary),
                                     *dangling_pronouns(analysis.sentences)):
                if checked[index]:
                    per_sentence[index].append(candidate)
            for index, found in enumerate(per_sentence):
                ranked = sorted((self._with_context_prior(c, analysis, index) for c in found), key=lambda c: -c.prior)
                slots.append((analysis, index, [(c, probe(c, analysis.text(index))) for c in ranked]))
            analyses.append(analysis)
        survivors: dict[int, list[Scored]] = {}

        def score_read(readings: dict[int, Reading]) -> dict[int, list[str]]:
            for slot, reading in readings.items():
                analysis, index, found = slots[slot]
                sentence = analysis.text(index)
                before = [analysis.text(i) for i in analysis.context_before(index)]
                analysis.scored[index] = [
                    Scored(index, c, {**cheap_features(c, sentence, before, rank, len(found), index == 0),
                                      **reading_features(c, reading, at, value)})
                    for rank, ((c, (at, _)), value) in enumerate(zip(found, reading.probes))]
            if self.model is None:
                return {}
            chosen = self._stage1([slots[slot][0].scored[slots[slot][1]] for slot in readings])
            for slot, items in zip(readings, chosen):
                survivors[slot] = items
            return {slot: [item.candidate.apply(slots[slot][0].text(item.sentence)) for item in survivors[slot]]
                    for slot in readings}

        texts, paragraphs, documents = _running_text(analyses)
        probes = [[p for _, p in found] for *_, found in slots]
        if any(probes):
            readings = read_sentences(texts, probes, paragraphs, documents, score_read, progress)
        else:  # no candidate anywhere (an empty or candidate-free text): the LM need not even load
            readings = [Reading((), (), ())] * len(texts)
            score_read(dict(enumerate(readings)))
        if self.model is not None:
            for analysis in analyses:
                analysis.survivors = []
            for slot, items in sorted(survivors.items()):
                _attach_versions(items, readings[slot])
                slots[slot][0].survivors += items
        return analyses

    def _parse(self, texts: list[str]) -> list:
        """spaCy's parses of the sentences. On a cold start with a long text they are made beside
        the loading of the LM and MiniLM: each takes seconds and leaves the other core idle
        (1,000 sentences: 4.5 s of parsing, 4 s of loading; the whole check about 6% faster)."""
        from qa.engines.embeddings import load_encoder
        from qa.engines.lm import is_loaded, load_lm
        from qa.engines.nlp import can_parse_beside, parse_beside

        if len(texts) < PARALLEL_PARSE_MIN_SENTENCES or is_loaded() or not can_parse_beside():
            return list(self.nlp.pipe(texts, batch_size=64))

        def load_models() -> None:
            load_lm()
            if self.model is not None:  # stage 2 will embed
                load_encoder()

        return parse_beside(texts, load_models)

    def _with_context_prior(self, candidate: Candidate, analysis: Analysis, index: int) -> Candidate:
        """Lexicon entries whose kind is told apart by the surrounding text (a death before a
        claim that the dead man "committed" something) get a higher prior there."""
        entry = self.lexicon.garbles.get(candidate.info.get("entry", ""))
        if entry is None or entry.context_prior is None:
            return candidate
        lemmas, sentences, prior = entry.context_prior
        window = analysis.sentences[max(0, index - sentences):index + 1]
        if any(t.lemma_.lower() in lemmas or t.lower_ in lemmas for sent in window for t in sent):
            return replace(candidate, prior=max(candidate.prior, prior))
        return candidate

    def apply_stage1(self, analysis: Analysis) -> list[Scored]:
        """The candidates that get the expensive evidence: those prepare() chose as it read,
        or, for an analysis prepared before there was a model (training), chosen now."""
        if analysis.survivors is None:
            analysis.survivors = [item for chosen in self._stage1(analysis.scored) for item in chosen]
        return analysis.survivors

    def _stage1(self, sentences: list[list[Scored]]) -> list[list[Scored]]:
        """Stage-1 scores for every candidate of these sentences; returns each one's survivors."""
        every = [s for sentence in sentences for s in sentence]
        if every:
            scores = self.model.stage1_scores(np.array([vector(s.cheap, CHEAP_FEATURES) for s in every]))
            for item, score in zip(every, scores):
                item.stage1 = float(score)
        chosen = []
        for sentence in sentences:
            spans: dict[tuple[int, int], Scored] = {}  # best alternative per span
            for item in sorted(sentence, key=lambda s: (-self._prior_decides(s.candidate), -s.stage1)):
                if self.thorough or self.passes_stage1(item):
                    spans.setdefault((item.candidate.start, item.candidate.end), item)
            chosen.append(list(spans.values())[:THOROUGH_SURVIVORS if self.thorough else MAX_SURVIVORS])
        return chosen

    @property
    def stage1_threshold(self) -> float:
        return self.model.stage1_threshold_for(self.budget)

    def passes_stage1(self, item: Scored) -> bool:
        """Would the fast mode's filter let this candidate through? (Thorough mode reads each
        sentence's best spans whatever their stage-1 score; the fast mode's survivors are those
        of them that pass.)"""
        return item.stage1 >= self.stage1_threshold or self._prior_decides(item.candidate)

    def _prior_decides(self, candidate: Candidate) -> bool:
        """A rare generator the stage-1 filter never learned, whose documented prior alone can
        flag it (see InversionModel.probabilities), skips the filter."""
        return not self.model.supported(candidate.source) and candidate.prior >= self.model.threshold

    # --- expensive stage ----------------------------------------------------------

    def add_model_features(self, analysis: Analysis, selected: Sequence[Scored]) -> None:
        """LM evidence (read in place of the sentence; prepare() reads the survivors it chose,
        others are read here on a second pass) and embedding coherence with the context."""
        from qa.engines.embeddings import encode

        by_sentence: dict[int, list[Scored]] = {}
        for item in selected:
            by_sentence.setdefault(item.sentence, []).append(item)
        if not by_sentence:
            return
        self.read_in_place([(analysis, selected)])
        texts: dict[str, int] = {}

        def slot(text: str) -> int:
            return texts.setdefault(text, len(texts))

        for index, items in by_sentence.items():
            for i in (*analysis.context_before(index), index, analysis.next_index(index)):
                if i is not None:
                    slot(analysis.text(i))
            for item in items:
                slot(item.candidate.apply(analysis.text(index)))
        embeddings = encode(list(texts))
        for index, items in by_sentence.items():
            self._set_model_features(analysis, index, items, embeddings, texts)

    def read_in_place(self, selections: Sequence[tuple[Analysis, Sequence[Scored]]]) -> None:
        """LM evidence for the selected candidates that prepare() did not read (those of an
        analysis prepared without a model): one more pass over their documents, together."""
        from qa.engines.lm import read_sentences

        unread_by_analysis = [(analysis, [item for item in selected if item.versions is None])
                              for analysis, selected in selections]
        unread_by_analysis = [(analysis, items) for analysis, items in unread_by_analysis if items]
        if not unread_by_analysis:
            return
        texts, paragraphs, documents = _running_text([analysis for analysis, _ in unread_by_analysis])
        unread: dict[int, list[Scored]] = {}
        offset = 0
        for analysis, items in unread_by_analysis:
            for item in items:
                unread.setdefault(offset + item.sentence, []).append(item)
            offset += len(analysis.sentences)
        readings = read_sentences(texts, [[] for _ in texts], paragraphs, documents,
                                  lambda batch: {i: [item.candidate.apply(texts[i]) for item in unread[i]]
                                                 for i in batch if i in unread})
        for index, items in unread.items():
            _attach_versions(items, readings[index])

    def _set_model_features(self, analysis: Analysis, index: int, items: list[Scored],
                            embeddings: np.ndarray, texts: dict[str, int]) -> None:
        before = analysis.context_before(index)
        following = analysis.next_index(index)
        original_vec = embeddings[texts[analysis.text(index)]]
        context_vec = _mean([embeddings[texts[analysis.text(i)]] for i in before])
        next_vec = embeddings[texts[analysis.text(following)]] if following is not None else None
        window = [*before, *([following] if following is not None else [])]
        for item in items:
            written, reading = item.versions
            candidate_vec = embeddings[texts[item.candidate.apply(analysis.text(index))]]
            item.model = model_features(
                _lm_scores(written, item.candidate.start, item.candidate.end),
                _lm_scores(reading, item.candidate.start, item.candidate.start + len(item.candidate.replacement)),
                _gain(candidate_vec, original_vec, context_vec), _gain(candidate_vec, original_vec, next_vec))
            item.state = reading.summary(item.candidate.start) - written.summary(item.candidate.start)
            gains = [(_gain(candidate_vec, original_vec, embeddings[texts[analysis.text(i)]]), i) for i in window]
            item.evidence_sentence = max(gains)[1] if gains else None

    # --- both stages --------------------------------------------------------------

    def analyze(self, doc: Document, progress: Callable[[float], None] | None = None) -> Analysis:
        """progress, if given, receives the fraction of the work done since its last call."""
        sentences = max(len(doc.sentences), 1)
        analysis = self.prepare(doc, (lambda n: progress(0.9 * n / sentences)) if progress else None)
        self._decide(analysis)
        if progress:
            progress(0.1)
        return analysis

    def analyze_many(self, docs: Sequence[Document]) -> list[Analysis]:
        """analyze() for many short documents, which the LM reads together."""
        analyses = self.prepare_many(docs)
        for analysis in analyses:
            self._decide(analysis)
        return analyses

    def _decide(self, analysis: Analysis) -> None:
        survivors = self.apply_stage1(analysis)
        self.add_model_features(analysis, survivors)
        if survivors:
            probabilities = self.model.probabilities(survivors)
            for item, p in zip(survivors, probabilities):
                item.probability = float(p)


def _running_text(analyses: Sequence[Analysis]) -> tuple[list[str], frozenset[int], frozenset[int]]:
    """The analyses' sentences as one text for the LM, with the indices where each paragraph
    and each document starts."""
    texts, paragraphs, documents = [], set(), set()
    for analysis in analyses:
        sentences, offset = analysis.doc.sentences, len(texts)
        documents.add(offset)
        paragraphs.update(offset + i for i, s in enumerate(sentences)
                          if i == 0 or s.paragraph != sentences[i - 1].paragraph)
        texts += [analysis.text(i) for i in range(len(sentences))]
    return texts, frozenset(paragraphs), frozenset(documents)


def _attach_versions(items: list[Scored], reading) -> None:
    """The sentence as read and each item's reading (Reading.versions, in the items' order)."""
    for k, item in enumerate(items, start=1):
        item.versions = (reading.versions[0], reading.versions[k])


def _lm_scores(scored, edit_start: int, edit_end: int) -> LMScores:
    total = scored.total()
    after = tuple(lp for lp, end in zip(scored.logprobs, scored.ends) if end > edit_end)
    return LMScores(total, total / max(len(scored.logprobs), 1), scored.total(edit_start) - sum(after), after)


def _mean(vectors: list[np.ndarray]) -> np.ndarray | None:
    if not vectors:
        return None
    mean = np.mean(vectors, axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def _gain(candidate: np.ndarray, original: np.ndarray, reference: np.ndarray | None) -> float:
    if reference is None:
        return 0.0
    return float(candidate @ reference - original @ reference)
