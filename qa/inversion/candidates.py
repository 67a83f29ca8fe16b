"""Candidate readings: what a translator might have meant instead of each sentence.

A candidate replaces one span of a sentence. Generators (all built on the spaCy
parse of the sentence) cover the inversion families: lexicon garbles, opposite
words (WordNet and hand tables), look-alike words from one root (paronyms),
negation inserted or removed, active/passive
role swaps, modality frames (ultimatum <-> act), and entity drift across the
document. A reading that is never generated can never be found, so `qa eval`
tracks how often the gold reading is among these candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from lemminflect import getInflection
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from qa.inversion.lexicon import GarbleEntry, Lexicon

MAX_CANDIDATES_PER_SENTENCE = 24
ANIMATE_ENTS = {"PERSON", "ORG", "NORP", "GPE"}
PERSON_PRONOUNS = {"he", "she", "him", "her", "they", "them", "i", "we", "you", "me", "us"}
_PLACEHOLDER_RE = re.compile(r"\{(?:(\w+):)?(\d+)\}")
_BE = {("VBD", False): "was", ("VBD", True): "were", ("VBZ", False): "is", ("VBP", True): "are",
       ("VBP", False): "am", ("VBN", False): "been", ("VBN", True): "been", ("VB", False): "be"}


@dataclass(frozen=True)
class Candidate:
    family: str  # polarity | negation | role | modality | term | entity
    source: str  # generator, e.g. "lexicon:truncated-idiom", "opposite:wordnet", "negation:insert"
    start: int  # character offsets into the sentence text
    end: int
    replacement: str
    prior: float
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def apply(self, sentence: str) -> str:
        return sentence[:self.start] + self.replacement + sentence[self.end:]


def inflect(lemma: str, tag: str) -> str:
    forms = getInflection(lemma, tag=tag) if tag else None
    return forms[0] if forms else lemma


def match_case(original: str, replacement: str) -> str:
    """Give the replacement the capitalisation of the words it replaces (first letter only)."""
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement


def match_spelling(original: str, replacement: str) -> str:
    """British -is- where the words replaced spell their root so: "civilised choice" means
    "civilisational", not "civilizational"."""
    written = [w.lower() for w in re.findall(r"[A-Za-z]+", original)]

    def british(match: re.Match) -> str:
        word, at = match.group(), match.group().lower().find("iz")
        stem = word.lower()[:at] + "is"
        return word[:at] + ("is" if word[at].islower() else "IS") + word[at + 2:] \
            if any(w.startswith(stem) and len(stem) >= 5 for w in written) else word

    return re.sub(r"[A-Za-z]*iz[A-Za-z]*", british, replacement, flags=re.IGNORECASE)


def be_form(token: Token) -> str:
    plural = token.tag_ == "VBP" or any(
        c.dep_ in ("nsubj", "nsubjpass") and (c.tag_ in ("NNS", "NNPS") or c.lower_ in ("they", "we", "you")
                                               or any(cc.dep_ == "conj" for cc in c.children))
        for c in token.children)
    tag = token.tag_ if token.tag_ in ("VBD", "VBZ", "VBP", "VBN", "VB") else "VBD"
    if tag == "VBZ" and plural:
        tag = "VBP"
    return _BE.get((tag, plural), _BE.get((tag, False), "was"))


def fill(template: str, tokens: list[Token]) -> str:
    def substitute(match: re.Match) -> str:
        op, index = match.group(1), int(match.group(2))
        token = tokens[index] if index < len(tokens) else None
        if token is None:
            return ""
        if op is None:
            return token.text
        if op == "be":
            return be_form(token)
        if op == "lemma":
            return token.lemma_
        return inflect(token.lemma_, op)

    return re.sub(r"\s+", " ", _PLACEHOLDER_RE.sub(substitute, template)).strip()


class CandidateGenerator:
    def __init__(self, lexicon: Lexicon, vocab) -> None:
        self.lexicon = lexicon
        self.matchers = _EntryMatchers(lexicon.garbles.values(), vocab)

    # --- per sentence -------------------------------------------------------------

    def sentence_candidates(self, sent: Doc) -> list[Candidate]:
        found: dict[tuple[int, int, str], Candidate] = {}
        for generator in (self.lexicon_garbles, self.opposites, self.paronyms, self.negation, self.voice,
                          self.ultimatum):
            for candidate in generator(sent):
                key = (candidate.start, candidate.end, candidate.replacement.lower())
                if candidate.replacement != sent.text[candidate.start:candidate.end] and \
                        (key not in found or found[key].prior < candidate.prior):
                    found[key] = candidate
        ranked = sorted(found.values(), key=lambda c: -c.prior)
        return ranked[:MAX_CANDIDATES_PER_SENTENCE]

    def lexicon_garbles(self, sent: Doc) -> Iterator[Candidate]:
        for match_id, start, end in self.matchers(sent):
            entry = self.lexicon.garbles[sent.vocab.strings[match_id]]
            if not _context_ok(entry, sent, start, end):
                continue
            tokens = list(sent[start:end])
            lo, hi = entry.replace or (0, len(tokens))
            if hi > len(tokens):
                continue
            first, last = tokens[lo], tokens[hi - 1]
            original = sent.text[first.idx:last.idx + len(last.text)]
            for rank, template in enumerate(entry.intended):
                replacement = match_case(original, match_spelling(original, fill(template, tokens)))
                yield Candidate(entry.family, f"lexicon:{entry.kind}", first.idx, last.idx + len(last.text),
                                replacement, entry.prior * (1.0 - 0.1 * rank), {"entry": entry.id})

    def opposites(self, sent: Doc) -> Iterator[Candidate]:
        for token in sent:
            if token.pos_ not in ("VERB", "ADJ", "NOUN", "ADV", "ADP", "PRON") or token.is_punct:
                continue
            if token.pos_ == "VERB" and token.dep_ in ("aux", "auxpass"):
                continue
            graded_tag = token.tag_ in ("JJR", "JJS", "RBR", "RBS")
            lemma = token.lower_ if token.pos_ in ("ADP", "ADJ") or graded_tag else token.lemma_.lower()
            options = self.lexicon.opposites_of(lemma, token.pos_)
            graded = False  # found through the lemma of a comparative or superlative ("earlier" -> "late")
            if not options:
                options = self.lexicon.opposites_of(token.lemma_.lower(), token.pos_)
                graded = graded_tag
            # "buy and sell", "affected and unaffected versions": a word coordinated with one of
            # its opposites is half of a contrast, and flipping it repeats the other half.
            coordinated = {c.lower_ for c in token.conjuncts} | {c.lemma_.lower() for c in token.conjuncts}
            if any(other.lower() in coordinated for other, _, _ in options):
                continue
            for other, family, source in options:
                replacement = other
                if (token.pos_ in ("VERB", "NOUN") or graded) and " " not in other and token.tag_ not in ("NN", "VB"):
                    replacement = inflect(other, token.tag_)
                prior = 0.3 if source == "table" else 0.1
                if token.pos_ == "ADP":
                    prior = 0.2 if source == "table" else 0.1
                yield Candidate(family, f"opposite:{source}", token.idx, token.idx + len(token.text),
                                match_case(token.text, replacement), prior, {"word": token.lower_})

    def paronyms(self, sent: Doc) -> Iterator[Candidate]:
        """A look-alike from the same root ("historical victory" for "historic victory",
        "educated institutions" for "educational"): the LM tells them apart well."""
        words = {t.lower_ for t in sent} | {t.lemma_.lower() for t in sent}
        for token in sent:
            if token.pos_ not in ("ADJ", "ADV", "NOUN", "VERB") or token.ent_type_:
                continue
            # A participle before a noun is an adjective ("educated institutions").
            pos = "ADJ" if token.tag_ in ("VBN", "VBG") and token.dep_ == "amod" else token.pos_
            inflected = pos in ("NOUN", "VERB") and token.tag_ not in ("NN", "VB")
            word = token.lemma_.lower() if pos in ("NOUN", "VERB") else token.lower_
            for other in self.lexicon.paronyms_of(word, pos):
                if other in words:  # "historic and historical" names both on purpose
                    continue
                replacement = inflect(other, token.tag_) if inflected else other
                yield Candidate("term", "paronym", token.idx, token.idx + len(token.text),
                                match_case(token.text, replacement), 0.2, {"word": token.lower_})

    def negation(self, sent: Doc) -> Iterator[Candidate]:
        for verb in _clause_heads(sent):
            negs = [c for c in verb.children if c.dep_ == "neg"]
            auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i]
            if _asks(sent, verb, auxes):
                continue
            if negs:
                neg = negs[0]
                if neg.lower_ in ("never",):
                    continue  # never/always comes from the opposites table
                do = next((a for a in auxes if a.lemma_ == "do"), None)
                if do is not None and _imperative(sent, do):
                    continue  # "Do not delete ...": see _imperative
                if do is not None and do.i < neg.i:  # "did not sell" -> "sold"
                    yield Candidate("negation", "negation:remove", do.idx, verb.idx + len(verb.text),
                                    match_case(do.text, inflect(verb.lemma_, do.tag_)), 0.15)
                elif neg.i > 0:  # "is not required" -> "is required"
                    before = sent[neg.i - 1]
                    yield Candidate("negation", "negation:remove", before.idx, neg.idx + len(neg.text),
                                    before.text if neg.text.lower() != "n't" else _expand_contraction(before),
                                    0.15)
                continue
            if auxes:  # "will win" -> "will not win"
                aux = auxes[0]
                yield Candidate("negation", "negation:insert", aux.idx, aux.idx + len(aux.text),
                                aux.text + " not", 0.1)
            elif verb.lemma_ == "be":  # copula: "was safe" -> "was not safe"
                yield Candidate("negation", "negation:insert", verb.idx, verb.idx + len(verb.text),
                                verb.text + " not", 0.1)
            elif verb.tag_ in ("VBD", "VBZ", "VBP"):
                do = {"VBD": "did", "VBZ": "does", "VBP": "do"}[verb.tag_]
                yield Candidate("negation", "negation:insert", verb.idx, verb.idx + len(verb.text),
                                match_case(verb.text, f"{do} not {verb.lemma_}"), 0.1)
        for token in sent:  # "no evidence of" -> "evidence of"
            if token.lower_ == "no" and token.dep_ == "det" and token.i + 1 < len(sent) and sent[token.i + 1].is_alpha:
                following = sent[token.i + 1]  # a word: "no-asm" is a command-line option
                yield Candidate("negation", "negation:remove", token.idx, following.idx + len(following.text),
                                match_case(token.text, following.text), 0.1)

    def voice(self, sent: Doc) -> Iterator[Candidate]:
        """Swap who did what to whom, keeping the surface subject: X sued Y <-> X was sued by Y."""
        for verb in sent:
            if verb.pos_ != "VERB":
                continue
            children = {c.dep_: c for c in verb.children}
            if "nsubjpass" in children and "agent" in children and "auxpass" in children:
                agent = children["agent"]
                objects = [c for c in agent.children if c.dep_ == "pobj"]
                agents = self.lexicon.agents
                if not objects or not _animate(children["nsubjpass"], agents) or not _animate(objects[0], agents):
                    continue
                aux = children["auxpass"]
                start = min(aux.idx, *(c.idx for c in verb.children if c.dep_ == "aux" and c.i < verb.i)) \
                    if any(c.dep_ == "aux" and c.i < verb.i for c in verb.children) else aux.idx
                obj = objects[0]
                obj_start = min(t.idx for t in obj.subtree)
                end = max(t.idx + len(t.text) for t in obj.subtree)
                tense = {"was": "VBD", "were": "VBD", "is": "VBZ", "are": "VBP"}.get(aux.lower_, "VBD")
                if start != aux.idx:  # "has been sued by" -> "has sued"
                    head = sent.text[start:aux.idx].strip()
                    active = f"{head} {inflect(verb.lemma_, 'VBN')}"
                else:
                    active = inflect(verb.lemma_, tense)
                yield Candidate("role", "voice:passive-to-active", start, end,
                                f"{active} {sent.text[obj_start:end]}", 0.2)
            elif "nsubj" in children and "dobj" in children and verb.tag_ in ("VBD", "VBZ", "VBP"):
                subject, obj = children["nsubj"], children["dobj"]
                agents = self.lexicon.agents
                if not subject.i < verb.i < obj.i or not _animate(subject, agents) or \
                        not _animate(obj, agents) or obj.lower_ in ("himself", "herself", "themselves"):
                    continue
                end = max(t.idx + len(t.text) for t in obj.subtree)
                object_text = sent.text[min(t.idx for t in obj.subtree):end]
                passive = f"{be_form(verb)} {inflect(verb.lemma_, 'VBN')} by {object_text}"
                yield Candidate("role", "voice:active-to-passive", verb.idx, end, passive, 0.15)

    def ultimatum(self, sent: Doc) -> Iterator[Candidate]:
        """An ultimatum turned into an act, and back: "was told to X or Y" <-> "X-ed or chose to Y"."""
        for choose in sent:
            if choose.lemma_ in ("choose", "prefer", "opt", "decide") and choose.dep_ == "conj":
                act = choose.head
                cc = next((c for c in act.children if c.dep_ == "cc" and c.lower_ == "or"), None)
                xcomp = next((c for c in choose.children if c.dep_ == "xcomp"), None)
                if act.pos_ != "VERB" or cc is None or act.tag_ != "VBD":
                    continue
                middle = sent.text[act.idx + len(act.text):cc.idx].strip()
                if xcomp is not None:
                    alternative = _span_text(sent, xcomp, drop_to=True)
                else:
                    alternative = _span_text(sent, choose, skip={choose.i}) or ""
                end = max(t.idx + len(t.text) for t in choose.subtree)
                for rank, frame in enumerate((f"{be_form(act)} told to", "had to", f"{be_form(act)} ordered to")):
                    replacement = f"{frame} {act.lemma_} {middle} or {alternative}"
                    yield Candidate("modality", "frame:act-to-ultimatum", act.idx, end,
                                    re.sub(r"\s+", " ", replacement).strip(), 0.75 - 0.05 * rank)
        yield from self._obligations(sent)

    def _obligations(self, sent: Doc) -> Iterator[Candidate]:
        """The reverse direction ("had to X or Y" -> "X-ed or chose to Y"), for perturbations;
        as a detector candidate it has a low prior."""
        for act in sent:
            if act.tag_ != "VB" or act.pos_ != "VERB":
                continue
            conj = next((c for c in act.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")), None)
            cc = next((c for c in act.children if c.dep_ == "cc" and c.lower_ == "or"), None)
            if conj is None or cc is None or not act.i < cc.i < conj.i:  # "X or Y", in that order
                continue
            start = _obligation_start(sent, act)
            if start is None:
                continue
            middle = sent.text[act.idx + len(act.text):cc.idx].strip()
            tail_start = min(t.idx for t in conj.subtree if t.i > cc.i)
            end = max(t.idx + len(t.text) for t in conj.subtree)
            replacement = f"{inflect(act.lemma_, 'VBD')} {middle} or chose to {sent.text[tail_start:end]}"
            yield Candidate("modality", "frame:ultimatum-to-act", start, end,
                            re.sub(r"\s+", " ", replacement).strip(), 0.05)


class _EntryMatchers:
    """The lexicon's patterns, each in its own spaCy Matcher, run only on sentences that hold
    a word the pattern requires: one Matcher with every pattern tried them all at every token
    and took two thirds of candidate generation. The same matches."""

    _ATTRIBUTES = {"LOWER": "lower_", "LEMMA": "lemma_", "ORTH": "text", "TEXT": "text"}

    def __init__(self, entries, vocab) -> None:
        self.always: list[tuple[int, Matcher]] = []
        self.by_word: dict[tuple[str, str], list[tuple[int, Matcher]]] = {}
        for order, entry in enumerate(entries):
            matcher = Matcher(vocab)
            matcher.add(entry.id, [list(entry.pattern)], greedy="LONGEST")
            anchor = _anchor(entry.pattern)
            if anchor is None:
                self.always.append((order, matcher))
                continue
            attribute, words = anchor
            for word in words:
                self.by_word.setdefault((self._ATTRIBUTES[attribute], word), []).append((order, matcher))

    def __call__(self, sent) -> list[tuple[int, int, int]]:
        chosen = dict(self.always)
        for token in sent:
            for attribute in ("lower_", "lemma_", "text"):
                chosen.update(self.by_word.get((attribute, getattr(token, attribute)), ()))
        matches = [match for _, matcher in sorted(chosen.items(), key=lambda item: item[0]) for match in matcher(sent)]
        # One Matcher's order: a pattern's matches together, patterns by where their first match
        # ends (then starts); candidates of equal prior keep this order, so it matters.
        first: dict[int, tuple[int, int]] = {}
        for key, start, end in matches:
            first.setdefault(key, (end, start))
        return sorted(matches, key=lambda match: first[match[0]])


def _anchor(pattern) -> tuple[str, frozenset[str]] | None:
    """The rarest words one of which every match must contain (a required token's LOWER,
    LEMMA or ORTH value or list; stop words count as common), or None if it requires no word."""
    from spacy.lang.en.stop_words import STOP_WORDS

    best, best_cost = None, float("inf")
    for spec in pattern:
        if _optional(spec.get("OP")):
            continue
        for attribute in _EntryMatchers._ATTRIBUTES:
            value = spec.get(attribute)
            words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
            cost = sum(100 if word.lower() in STOP_WORDS else 1 for word in words or ())
            if words and cost < best_cost:
                best, best_cost = (attribute, frozenset(words)), cost
    return best


def _optional(op: str | None) -> bool:
    """May a match lack this token? ("?", "*", "!" never matches it, "{0,3}", "{,2}")"""
    return op is not None and (op in ("?", "*", "!") or op.startswith(("{0", "{,")))


def _obligation_start(sent: Doc, act: Token) -> int | None:
    """Offset where the obligation governing act starts ("was told to", "had to", "must")."""
    must = next((c for c in act.children if c.dep_ == "aux" and c.lower_ in ("must",)), None)
    if must is not None:
        return must.idx
    head = act.head
    to = next((c for c in act.children if c.dep_ == "aux" and c.lower_ == "to"), None)
    if to is None or act.dep_ not in ("xcomp", "advcl") or head.i > act.i:
        return None
    if head.lemma_ == "have" and head.tag_ in ("VBD", "VBZ", "VBP"):
        return head.idx
    if head.lemma_ in ("tell", "order", "force", "ask", "instruct", "require", "warn") and head.tag_ == "VBN":
        aux = next((c for c in head.children if c.dep_ == "auxpass"), None)
        return aux.idx if aux is not None else None
    return None


def _context_ok(entry: GarbleEntry, sent: Doc, start: int, end: int) -> bool:
    if entry.not_next and end < len(sent) and sent[end].lower_ in entry.not_next:
        return False
    if entry.not_prev and start > 0 and sent[start - 1].lower_ in entry.not_prev:
        return False
    if entry.before:
        words, size = entry.before
        if not any(t.lemma_.lower() in words or t.lower_ in words for t in sent[max(0, start - size):start]):
            return False
    if entry.after:
        words, size = entry.after
        if not any(t.lemma_.lower() in words or t.lower_ in words for t in sent[end:end + size]):
            return False
    return True


def _clause_heads(sent: Doc) -> list[Token]:
    return [t for t in sent if (t.dep_ in ("ROOT", "ccomp") and t.pos_ in ("VERB", "AUX"))]


def _asks(sent: Doc, verb: Token, auxes: list[Token]) -> bool:
    """A question, its subject after the auxiliary ("Should I not be warned?", "Why don't you
    stay?", "Is it not true?"): no negation candidate, as a negative question asks nearly what
    the positive one does, and an inserted "not" reads wrong there ("Should not I be warned?")."""
    first = auxes[0] if auxes else verb if verb.lemma_ == "be" else None
    if first is None or not any(t.text == "?" for t in sent[verb.i:]):
        return False
    return any(c.dep_ in ("nsubj", "nsubjpass", "expl") and first.i < c.i and (c.i < verb.i or first is verb)
               for c in verb.children)


def _imperative(sent: Doc, do: Token) -> bool:
    """A negated command ("Do not delete the cache", "Fix: don't apply it", "If a test is
    flaky, do not retry it"): no candidate either way, as the insert side never offers
    "Apply" -> "Do not apply". Negated commands are the normal form of instructions and
    changelogs, where a list of positive commands made the LM prefer dropping the "not" (8
    false alarms in 2,508 sentences of package READMEs and changelogs). A command starts its
    clause, or (after another clause) is a base-form verb with no subject of its own."""
    if do.tag_ not in ("VB", "VBP"):
        return False
    verb = do.head
    if verb.tag_ == "VB" and not any(c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in verb.children):
        return True
    for token in reversed(sent[:do.i]):  # back to the clause's start: punctuation or "please" only
        if token.text in (":", ";", "-", "–", "—"):
            return True
        if not (token.is_punct or token.lower_ == "please" or token.tag_ == "UH"):
            return False
    return True


def _animate(token: Token, agents: frozenset[str]) -> bool:
    """People and organisations: the arguments whose roles can be swapped meaningfully. A
    relative pronoun stands for the noun its clause describes ("the firm, which sued ...")."""
    if token.tag_ in ("WP", "WDT") and token.head.dep_ == "relcl":
        token = token.head.head
    if token.lower_ in PERSON_PRONOUNS or token.ent_type_ in ANIMATE_ENTS or token.lemma_.lower() in agents:
        return True
    return token.pos_ == "PROPN" or any(t.ent_type_ in ANIMATE_ENTS for t in token.subtree)


def _expand_contraction(aux: Token) -> str:
    return {"ca": "can", "wo": "will", "do": "do", "does": "does", "did": "did"}.get(aux.lower_, aux.text)


def _span_text(sent: Doc, head: Token, drop_to: bool = False, skip: set[int] = frozenset()) -> str:
    tokens = [t for t in head.subtree if t.i not in skip]
    if drop_to and tokens and tokens[0].lower_ == "to":
        tokens = tokens[1:]
    if not tokens:
        return ""
    return sent.text[tokens[0].idx:tokens[-1].idx + len(tokens[-1].text)]
