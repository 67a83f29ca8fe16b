"""Candidate readings from the real spaCy parse (no LM): each generator on held-apart sentences."""

import pytest

from qa.inversion.entities import dangling_pronouns, is_variant, name_variants, skeleton
from qa.inversion.lexicon import load_lexicon


@pytest.fixture(scope="module")
def nlp():
    from qa.engines.nlp import load_spacy

    return load_spacy()


@pytest.fixture(scope="module")
def generator(nlp):
    from qa.inversion.candidates import CandidateGenerator

    return CandidateGenerator(load_lexicon(), nlp.vocab)


def readings(nlp, generator, sentence, source=None):
    return {c.apply(sentence) for c in generator.sentence_candidates(nlp(sentence))
            if source is None or c.source.startswith(source)}


def test_opposites_keep_inflection(nlp, generator):
    found = readings(nlp, generator, "Exports rose sharply after the port reopened.", "opposite")
    assert "Exports fell sharply after the port reopened." in found
    found = readings(nlp, generator, "The club hired a new coach in May.", "opposite")
    assert "The club fired a new coach in May." in found


def test_comparatives_found_through_their_lemma_keep_their_degree(nlp, generator):
    found = readings(nlp, generator, "The recovery had come earlier than the hotel owners had hoped.", "opposite")
    assert "The recovery had come later than the hotel owners had hoped." in found
    assert "The recovery had come late than the hotel owners had hoped." not in found


def test_negation_is_inserted_and_removed(nlp, generator):
    assert "The bank did not raise interest rates." in readings(
        nlp, generator, "The bank raised interest rates.", "negation")
    assert "The bank raised interest rates." in readings(
        nlp, generator, "The bank did not raise interest rates.", "negation")
    assert "A permit is not required for the march." in readings(
        nlp, generator, "A permit is required for the march.", "negation")
    assert "A permit is required for the march." in readings(
        nlp, generator, "A permit is not required for the march.", "negation")


def test_negated_commands_keep_their_not_but_statements_may_lose_it(nlp, generator):
    for command in ("Do not open the valve completely.", "Don't apply the discount to gift cards.",
                    "Fix: do not check the cache twice.", "Please do not feed the birds.",
                    '"Do not leave the house," she said.', "If a test is flaky, do not retry the job.",
                    "Click Save, then do not close the window."):
        assert readings(nlp, generator, command, "negation:remove") == set(), command
    assert "You need a receipt for the refund." in readings(
        nlp, generator, "You do not need a receipt for the refund.", "negation")
    assert "If prices rise, they buy more." in readings(
        nlp, generator, "If prices rise, they do not buy more.", "negation:remove")


def test_a_word_coordinated_with_its_opposite_is_not_flipped(nlp, generator):
    assert readings(nlp, generator, "Traders buy and sell shares every day.", "opposite") & {
        "Traders sell and sell shares every day.", "Traders buy and buy shares every day."} == set()
    assert not any(r.lower().startswith(("unaffected and", "affected and affected")) for r in readings(
        nlp, generator, "Affected and unaffected versions are listed below.", "opposite"))
    assert "Traders bought shares every day." in readings(
        nlp, generator, "Traders sold shares every day.", "opposite")


def test_questions_get_no_negation_candidate_but_statements_do(nlp, generator):
    for question in ("Should I not be warned about that?", "Why don't you stay for dinner?",
                     "Is it not true that the bridge was closed?", "Will the council approve the plan?",
                     "Did the bank raise its rates?"):
        assert readings(nlp, generator, question, "negation") == set(), question
    assert "The council will not approve the plan." in readings(
        nlp, generator, "The council will approve the plan.", "negation")


def test_no_is_removed_before_a_word_only(nlp, generator):
    assert "Police found evidence of foul play." in readings(
        nlp, generator, "Police found no evidence of foul play.", "negation:remove")
    assert readings(nlp, generator, "Run ./Configure no-asm --prefix=/opt/ssl first.", "negation:remove") == set()


def test_voice_swaps_roles_between_agents(nlp, generator):
    assert "The company was sued by its customers in March." in readings(
        nlp, generator, "The company sued its customers in March.", "voice")
    assert "The company sued its customers in March." in readings(
        nlp, generator, "The company was sued by its customers in March.", "voice")
    assert readings(nlp, generator, "The company raised its prices in March.", "voice") == set()


def test_voice_swaps_roles_in_relative_clauses_by_the_noun_they_describe(nlp, generator):
    assert "Marktplaza, which was acquired by Shopnet, will keep its own website." in readings(
        nlp, generator, "Marktplaza, which acquired Shopnet, will keep its own website.", "voice")
    assert "The minister, who endorsed the candidate, resigned." in readings(
        nlp, generator, "The minister, who was endorsed by the candidate, resigned.", "voice")
    assert readings(nlp, generator, "The report, which criticised the ministry, was leaked.", "voice") == set()
    assert readings(nlp, generator, "The minister, whom the president appointed, resigned.", "voice") == set()


def test_ultimatum_frame_both_ways(nlp, generator):
    garbled = "The editor deleted the article or chose to lose her job."
    assert "The editor was told to delete the article or lose her job." in readings(
        nlp, generator, garbled, "frame")
    clean = "The editor was told to delete the article or lose her job."
    assert "The editor deleted the article or chose to lose her job." in readings(nlp, generator, clean, "frame")


def test_ultimatum_frame_skips_an_or_that_joins_other_words(nlp, generator):
    # "keep ... and muzzled ... or have": the first conjunct comes before "or"; this crashed once.
    sentence = ("The magistrate was ordered by the dog's owner to keep the animal on a lead and muzzled "
                "in public or have it destroyed.")
    assert all(c.start < c.end for c in generator.sentence_candidates(nlp(sentence)))


def test_transliteration_variants():
    assert skeleton("Khodorov") == skeleton("Hodorov")
    assert is_variant("Prokopiev", "Prokofiev")
    assert is_variant("Alekseev", "Aleksejev")
    assert not is_variant("Ivanov", "Ivanova")  # a feminine form is another person
    assert not is_variant("Austria", "Australia")
    assert not is_variant("Smith", "Smiths")


def test_minority_spelling_gets_the_majority_form(nlp):
    text = ["Mr. Petrenko met the mayor on Monday.", "Petrenko said the deal was fair.",
            "Critics said Petrenka had ignored the council."]
    found = [(i, c.replacement) for i, c in name_variants([nlp(t) for t in text])]
    assert found == [(2, "Petrenko")]


def test_pronoun_without_antecedent_points_to_the_named_person(nlp):
    text = ["Storms closed the northern ports for a week.",
            "The minister praised him as a model official, standing next to the governor, Ana Duarte."]
    found = [(i, c.replacement) for i, c in dangling_pronouns([nlp(t) for t in text])]
    assert found == [(1, "Duarte")]
    text[0] = "The governor, Ana Duarte, visited the ports."
    assert list(dangling_pronouns([nlp(t) for t in text])) == []


def test_a_one_way_opposite_read_backwards_has_a_lower_prior(nlp, generator):
    sentence = "The prisoner escaped to custody, and the guards went from door to door."
    found = {(c.replacement, c.start): c for c in generator.sentence_candidates(nlp(sentence))}
    backwards = found[("from", sentence.index(" to ") + 1)]
    forwards = found[("to", sentence.index("from"))]
    assert backwards.source == "opposite:table:reverse" and forwards.source == "opposite:table"
    assert backwards.prior < forwards.prior


def test_lexicon_patterns_run_only_where_their_words_are_and_match_as_one_matcher(nlp, generator):
    """Each pattern runs on sentences holding one of its rarest required words; that finds
    exactly what one Matcher with every pattern finds, on every lexicon test sentence."""
    from spacy.matcher import Matcher

    lexicon = load_lexicon()
    every = Matcher(nlp.vocab)
    for entry in lexicon.garbles.values():
        every.add(entry.id, [list(entry.pattern)], greedy="LONGEST")
    texts = [t for entry in lexicon.garbles.values() for t in entry.tests["fail"] + entry.tests["pass"]]
    found = 0
    for sent in nlp.pipe(texts):
        expected = every(sent)
        assert sorted(generator.matchers(sent)) == sorted(expected), sent.text
        found += len(expected)
    assert found >= len(lexicon.garbles)  # every entry's fail sentences match at least it


def test_a_pattern_is_anchored_on_its_rarest_required_word():
    from qa.inversion.candidates import _anchor

    assert _anchor([{"LOWER": "the", "OP": "?"}, {"LOWER": "foul"}]) == ("LOWER", frozenset({"foul"}))
    assert _anchor([{"LOWER": "the"}, {"LEMMA": {"IN": ["lion", "tiger"]}}]) == ("LEMMA", frozenset({"lion", "tiger"}))
    assert _anchor([{"POS": "NOUN"}, {"LOWER": "cow", "OP": "?"}]) is None
    # Quantifiers that allow zero tokens are optional too; "{1,2}" is required.
    assert _anchor([{"LOWER": "a"}, {"LOWER": "big", "OP": "{0,2}"}]) == ("LOWER", frozenset({"a"}))
    assert _anchor([{"LOWER": "a"}, {"LOWER": "big", "OP": "{1,2}"}]) == ("LOWER", frozenset({"big"}))


def test_paronyms_offer_the_look_alike_from_the_same_root(nlp, generator):
    found = readings(nlp, generator, "The scientists devised an ingenuous method to weigh a virus.", "paronym")
    assert "The scientists devised an ingenious method to weigh a virus." in found
    found = readings(nlp, generator, "Three successful governments failed to fix the railway.", "paronym")
    assert "Three successive governments failed to fix the railway." in found
    found = readings(nlp, generator, "The grant is open to all educated charities in the region.", "paronym")
    assert "The grant is open to all educational charities in the region." in found  # a participle as adjective


def test_paronyms_keep_inflection_and_skip_names_and_pairs_named_together(nlp, generator):
    found = readings(nlp, generator, "The two councils gave different counsels to the mayor.", "paronym")
    assert "The two counsels gave different counsels to the mayor." not in found  # both words present
    found = readings(nlp, generator, "The new rules will effect thousands of small firms.", "paronym")
    assert "The new rules will affect thousands of small firms." in found
    found = readings(nlp, generator, "Both critics paid the chef complements on the sauce.", "paronym")
    assert "Both critics paid the chef compliments on the sauce." in found
    found = readings(nlp, generator, "Historic England listed the historical building.", "paronym")
    assert not any(r.startswith("Historical England") for r in found)  # a name, not a word


def test_lexicon_readings_keep_the_british_spelling_of_the_words_they_replace(nlp, generator):
    found = readings(nlp, generator, "The minister said joining the union was a civilised choice for the nation.",
                     "lexicon")
    assert "The minister said joining the union was a civilisational choice for the nation." in found
    found = readings(nlp, generator, "Commentators called the election a civilized choice for the country.",
                     "lexicon")
    assert "Commentators called the election a civilizational choice for the country." in found
