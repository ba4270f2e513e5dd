"""A local causal language model through Hugging Face transformers.

Loads `AutoModelForCausalLM` + `AutoTokenizer` from a local directory (`path` in models.yaml; never
downloads), once per process and path, onto the GPU when torch sees one. Uses the tokenizer's chat
template when it has one, else a plain "system / user" prompt. Usage is the real token counts of
the prompt and of the generated continuation; cost is compute seconds x cost_per_compute_second.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nodegen.config import PROJECT_ROOT, ModelSpec
from nodegen.errors import ModelCallError
from nodegen.providers.base import Completion, Usage

PROVIDER = "transformers"


@dataclass
class _Loaded:
    model: Any
    tokenizer: Any
    device: str
    context_window: int | None


_CACHE: dict[str, _Loaded] = {}
_LOCK = threading.Lock()


def resolve_model_path(path: str) -> Path:
    """A relative `path` is relative to the project root (like config/)."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def load_cached(path: Path) -> _Loaded:
    """Load the model and tokenizer once per process and directory."""
    key = str(path.resolve())
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        if not path.is_dir():
            raise ModelCallError(f"transformers model directory {path} does not exist", retryable=False)
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if device == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
        try:
            tokenizer = AutoTokenizer.from_pretrained(key, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(key, local_files_only=True, dtype=dtype)
        except (OSError, ValueError) as exc:
            raise ModelCallError(
                f"cannot load transformers model from {path}: {exc}", retryable=False
            ) from exc
        model.to(device)
        model.eval()
        config = model.config
        window = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
        loaded = _Loaded(model, tokenizer, device, int(window) if window else None)
        _CACHE[key] = loaded
        return loaded


class TransformersModel:
    """A `LanguageModel` over a local causal LM."""

    provider = PROVIDER

    def __init__(self, name: str, spec: ModelSpec) -> None:
        if not spec.path:
            raise ModelCallError(f"model {name!r}: transformers needs path in models.yaml", retryable=False)
        self.name = name
        self.spec = spec
        self.path = resolve_model_path(spec.path)

    def __repr__(self) -> str:
        return f"TransformersModel(name={self.name!r}, path={str(self.path)!r})"

    def _render(self, tokenizer: Any, system: str, prompt: str) -> str:
        if getattr(tokenizer, "chat_template", None):
            messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
            return str(
                tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            )
        return f"{system}\n\n{prompt}\n\n"

    def complete(
        self, *, system: str, prompt: str, max_tokens: int, temperature: float
    ) -> Completion:
        import torch

        loaded = load_cached(self.path)
        tokenizer, model = loaded.tokenizer, loaded.model
        started = time.perf_counter()
        encoded = tokenizer(
            self._render(tokenizer, system, prompt), return_tensors="pt", add_special_tokens=False
        )
        input_ids = encoded["input_ids"].to(loaded.device)
        attention_mask = encoded.get("attention_mask")
        if attention_mask is not None:
            attention_mask = attention_mask.to(loaded.device)
        n_input = int(input_ids.shape[1])
        max_new = max_tokens
        if loaded.context_window is not None:
            max_new = min(max_tokens, loaded.context_window - n_input)
            if max_new <= 0:
                raise ModelCallError(
                    f"{self.name}: prompt of {n_input} tokens fills the context window of "
                    f"{loaded.context_window}",
                    retryable=False,
                )
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        settings: dict[str, Any] = {"max_new_tokens": max_new, "pad_token_id": pad_id}
        if temperature > 0:
            settings.update(do_sample=True, temperature=temperature)
        else:
            settings.update(do_sample=False)
        with torch.inference_mode():
            output = model.generate(input_ids=input_ids, attention_mask=attention_mask, **settings)
        new_tokens = output[0, n_input:]
        seconds = time.perf_counter() - started
        n_output = int(new_tokens.shape[0])
        stop_reason = "max_tokens" if n_output >= max_new else "end_turn"
        text = tokenizer.decode(new_tokens, skip_special_tokens=True)
        usage = Usage(
            tokens_input=n_input,
            tokens_output=n_output,
            latency_ms=seconds * 1000.0,
            compute_seconds=seconds,
            cost_usd=self.spec.cost_usd(n_input, n_output, compute_seconds=seconds),
        )
        if not text.strip():
            raise ModelCallError(f"{self.name}: empty generation", retryable=False, usage=usage)
        return Completion(
            text=text, model=self.name, provider=PROVIDER, stop_reason=stop_reason, usage=usage
        )
