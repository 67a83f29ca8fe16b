import json
from pathlib import Path

import pytest

from qa.checks.grammar import classify, request_spans
from qa.document import parse
from qa.engines.languagetool import chunk_spans, parse_matches, split_long, utf16_to_codepoints

FIXTURES = Path(__file__).parents[1] / "fixtures" / "lt"


def recorded(name):
    data = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return data["text"], data["response"]


def utf16_offset(text, index):
    return len(text[:index].encode("utf-16-le")) // 2


@pytest.mark.parametrize("text", ["plain ascii", "a😀b", "😀😀x y", "𝒜 🇵🇱 é 🎉", ""])
def test_utf16_offsets_map_back_to_code_points(text):
    convert = utf16_to_codepoints(text)
    for index in range(len(text) + 1):
        assert convert(utf16_offset(text, index)) == index


def test_recorded_matches_with_emoji_land_on_the_right_characters():
    text, response = recorded("emoji")
    matches = {m.rule_id: text[m.start:m.end] for m in parse_matches(response, text)}
    assert matches["IT_IS"] == "Its"
    assert matches["ENGLISH_WORD_REPEAT_RULE"] == "is is"
    assert matches["EN_A_VS_AN"] == "a"


def test_recorded_matches_map_to_rules():
    text, response = recorded("errors")
    found = {(classify(m).code, text[m.start:m.end]) for m in parse_matches(response, text)}
    assert ("GR001", "datas") in found
    assert ("GR002", "go") in found
    assert ("GR003", "Its") in found
    assert ("GR003", "could of") in found
    assert ("GR004", " .") in found
    assert ("GR006", "is is") in found


def test_evidence_keeps_languagetool_rule_id():
    from qa.checks.grammar import to_issue

    text, response = recorded("errors")
    doc = parse(text)
    issues = [to_issue(m, doc) for m in parse_matches(response, text)]
    agreement = next(i for i in issues if i.rule == "GR002")
    assert agreement.evidence["lt_rule"] == "HE_VERB_AGR"
    assert agreement.suggestions[0] == "goes"
    assert doc.sentence_text(agreement.sentence) == "He go to school."


def test_chunks_respect_limit_and_cover_everything():
    units = [(0, 10), (11, 30), (32, 50), (52, 120), (121, 130)]
    chunks = list(chunk_spans(units, 40))
    assert chunks == [(0, 30), (32, 50), (52, 120), (121, 130)]
    text = "word " * 100
    pieces = list(split_long(text, 0, len(text), 64))
    assert all(end - start <= 64 for start, end in pieces)
    assert "".join(text[s:e] for s, e in pieces) == text
    assert all(text[e - 1] == " " for s, e in pieces[:-1])  # cut at whitespace


def test_request_spans_split_long_paragraphs_at_sentences():
    text = "Short one.\n\n" + " ".join(f"Sentence number {i} is here." for i in range(40))
    doc = parse(text)
    spans = request_spans(doc, 200)
    assert all(end - start <= 200 for start, end in spans)
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace(" ", "") == text.replace("\n", "").replace(" ", "")
