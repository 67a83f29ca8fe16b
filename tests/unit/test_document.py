import pytest

from qa.document import DocumentError, decode, line_starts, locate, parse, read_document


def sentences(text):
    doc = parse(text)
    return [doc.text[s.start:s.end] for s in doc.sentences]


def test_news_abbreviations_and_dateline():
    text = ("WARSAW, Poland (AP) — The U.S. envoy met Mr. Smith on Jan. 5 in Washington. "
            "Dr. J. R. Jones agreed. Prices rose 2.5% in the U.K. last year.")
    assert sentences(text) == [
        "WARSAW, Poland (AP) — The U.S. envoy met Mr. Smith on Jan. 5 in Washington.",
        "Dr. J. R. Jones agreed.",
        "Prices rose 2.5% in the U.K. last year.",
    ]


def test_quotes_stay_with_their_sentence():
    text = 'He said, “We will win.” Then he left. “Never,” she replied.'
    assert sentences(text) == ['He said, “We will win.”', "Then he left.", "“Never,” she replied."]


def test_headline_without_period_is_its_own_sentence():
    text = "Floods Hit Northern Towns\nRiver levels rose overnight. Schools closed."
    assert sentences(text) == ["Floods Hit Northern Towns", "River levels rose overnight.", "Schools closed."]


def test_wrapped_lines_inside_a_paragraph_are_not_boundaries():
    text = "The committee voted\nto approve the plan after a long debate. It passed."
    assert sentences(text) == ["The committee voted\nto approve the plan after a long debate.", "It passed."]


def test_sentences_never_cross_paragraphs():
    doc = parse("First paragraph has no period\n\nSecond one does. Yes.")
    assert [doc.text[s.start:s.end] for s in doc.sentences] == [
        "First paragraph has no period", "Second one does.", "Yes."]
    assert [s.paragraph for s in doc.sentences] == [0, 1, 1]


def test_offsets_are_exact_code_points_with_crlf_and_astral_characters():
    text = "Café 😀 opened.\r\n\r\nThe 🇵🇱 team won. It was late.\r\n"
    doc = parse(text)
    for sentence in doc.sentences:
        piece = text[sentence.start:sentence.end]
        assert piece == piece.strip() and piece
    assert [text[s.start:s.end] for s in doc.sentences] == [
        "Café 😀 opened.", "The 🇵🇱 team won.", "It was late."]


def test_line_and_column_are_one_based_and_ignore_carriage_returns():
    text = "ab\r\ncd\nef"
    starts = line_starts(text)
    assert locate(starts, 0) == (1, 1)
    assert locate(starts, text.index("d")) == (2, 2)
    assert locate(starts, text.index("f")) == (3, 2)


def test_bom_is_stripped_and_empty_text_has_no_sentences():
    assert decode("\ufeffHello.".encode("utf-8"), "x") == "Hello."
    assert parse("").sentences == ()
    assert parse("  \n\n \n").sentences == ()


def test_invalid_utf8_names_file_and_byte_offset(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Good start.\nthen \xff bad")
    with pytest.raises(DocumentError, match=r"bad\.txt: not valid UTF-8 at byte offset 17"):
        read_document(path)


def test_binary_file_is_reported(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(DocumentError, match=r"image\.png: binary file \(NUL byte at byte offset 8\)"):
        read_document(path)


def test_seed_article_segments_into_expected_sentences():
    from pathlib import Path

    doc = read_document(Path(__file__).parents[2] / "corpora/seed/000_33b904c69182b1ca.txt")
    texts = [doc.text[s.start:s.end] for s in doc.sentences]
    assert texts[0] == "Belarusians go to war to liberate Ukraine and themselves"
    assert texts[1].startswith("WARSAW, POLAND (AP) — A restaurant operator")
    assert all(not t.startswith((" ", "\n")) for t in texts)
    assert len(doc.paragraphs) == 27
