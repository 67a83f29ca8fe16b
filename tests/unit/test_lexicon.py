"""Every lexicon entry's own examples: fail sentences yield its first intended reading,
pass sentences don't match it. Loads spaCy (small, from a PyPI package) but no LM."""

import pytest

from qa.inversion.lexicon import FAMILIES, load_lexicon

LEXICON = load_lexicon()


@pytest.fixture(scope="module")
def generator():
    from qa.engines.nlp import load_spacy
    from qa.inversion.candidates import CandidateGenerator

    nlp = load_spacy()
    return nlp, CandidateGenerator(LEXICON, nlp.vocab)


def entry_readings(generator, entry_id, sentence):
    nlp, gen = generator
    return [c.apply(sentence) for c in gen.lexicon_garbles(nlp(sentence)) if c.info.get("entry") == entry_id]


def test_every_kind_is_documented_and_every_entry_has_tests():
    assert LEXICON.garbles
    for kind in LEXICON.kinds.values():
        assert kind["family"] in FAMILIES and len(kind["description"]) > 40
    for entry in LEXICON.garbles.values():
        assert entry.tests["fail"] and entry.tests["pass"], entry.id
        assert entry.intended, entry.id


@pytest.mark.parametrize("entry_id", sorted(LEXICON.garbles))
def test_entry_examples(generator, entry_id):
    entry = LEXICON.garbles[entry_id]
    for sentence in entry.tests["fail"]:
        readings = entry_readings(generator, entry_id, sentence)
        assert readings, f"{entry_id} does not match: {sentence}"
        assert any(entry.intended[0].split("{")[0].strip() in r for r in readings), (entry_id, readings)
    for sentence in entry.tests["pass"]:
        assert entry_readings(generator, entry_id, sentence) == [], f"{entry_id} matches clean: {sentence}"


def test_opposites_are_loaded_both_ways_when_symmetric():
    assert ("against", "polarity", "table") in LEXICON.opposites_of("for", "ADP")
    assert ("for", "polarity", "table") in LEXICON.opposites_of("against", "ADP")
    assert any(o[0] == "sell" for o in LEXICON.opposites_of("buy", "VERB"))
    assert any(o[0] == "lose" for o in LEXICON.opposites_of("win", "VERB"))


def test_one_way_opposites_are_read_backwards_too_with_their_own_source():
    assert ("to", "polarity", "table") in LEXICON.opposites_of("from", "ADP")
    assert ("from", "polarity", "table:reverse") in LEXICON.opposites_of("to", "ADP")
    assert ("against", "polarity", "table:reverse") not in LEXICON.opposites_of("for", "ADP")  # symmetric


def test_wordnet_antonyms_of_light_verbs_are_left_out():
    assert not any(o[0] == "have" for o in LEXICON.opposites_of("miss", "VERB"))
    assert not any(o[0] in ("break", "unmake") for o in LEXICON.opposites_of("make", "VERB"))
    assert any(o[0] == "lose" for o in LEXICON.opposites_of("win", "VERB"))  # from opposites.tsv


def test_paronyms_are_loaded_both_ways_by_part_of_speech():
    assert "historical" in LEXICON.paronyms_of("historic", "ADJ")
    assert "historic" in LEXICON.paronyms_of("historical", "ADJ")
    assert LEXICON.paronyms_of("historic", "VERB") == ()
    for (word, pos), others in LEXICON.paronyms.items():
        assert word not in others and pos in ("ADJ", "ADV", "NOUN", "VERB"), (word, pos)
