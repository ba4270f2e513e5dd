"""Wire-format fakes and a tiny offline causal LM, shared by the provider tests and benchmarks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import respx

from nodegen.config import ModelSpec, ProviderKind

ANTHROPIC_URL = "https://api.anthropic.com"
OPENAI_URL = "http://llm.test:8000/v1"
SECRET = "sk-ant-test-SECRET-0123456789"


def anthropic_spec(**overrides: Any) -> ModelSpec:
    values: dict[str, Any] = {
        "provider": ProviderKind.ANTHROPIC,
        "model_id": "claude-haiku-4-5",
        "input_per_mtok": 1.0,
        "output_per_mtok": 5.0,
        "cache_read_per_mtok": 0.1,
        "cache_write_per_mtok": 1.25,
        "api_key_env": "ANTHROPIC_API_KEY",
        "max_retries": 1,
        "timeout_s": 5.0,
        "max_tokens": 1024,
    }
    values.update(overrides)
    return ModelSpec.model_validate(values)


def openai_spec(**overrides: Any) -> ModelSpec:
    values: dict[str, Any] = {
        "provider": ProviderKind.OPENAI_COMPATIBLE,
        "model_id": "Qwen/Qwen2.5-Coder-7B-Instruct",
        "base_url": OPENAI_URL,
        "cost_per_compute_second": 0.5,
        "input_per_mtok": 0.2,
        "output_per_mtok": 0.6,
        "max_retries": 1,
        "timeout_s": 5.0,
    }
    values.update(overrides)
    return ModelSpec.model_validate(values)


def anthropic_message(
    text: str | None,
    *,
    stop_reason: str = "end_turn",
    input_tokens: int = 120,
    output_tokens: int = 40,
    cache_write: int = 900,
    cache_read: int = 0,
) -> dict[str, Any]:
    """A Messages API response body, as the API sends it."""
    content = [] if text is None else [{"type": "text", "text": text}]
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
            "service_tier": "standard",
        },
    }


def anthropic_error(status: int, kind: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        headers={"request-id": "req_011", **headers},
        json={"type": "error", "error": {"type": kind, "message": message}},
    )


def chat_completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 300,
    completion_tokens: int = 50,
) -> dict[str, Any]:
    """A /v1/chat/completions response body (vLLM / OpenAI shape)."""
    return {
        "id": "chatcmpl-9a1b2c",
        "object": "chat.completion",
        "created": 1764000000,
        "model": "Qwen/Qwen2.5-Coder-7B-Instruct",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def sent_json(route: respx.Route) -> dict[str, Any]:
    return json.loads(route.calls.last.request.content)


# -- a tiny causal LM, built offline --------------------------------------------------------

TRAINING_TEXT = [
    "build a node that reads a cache entry with a ttl",
    "the node returns the value or nothing when the key is missing",
    "compute the total of the order lines and apply the discount",
    "an effect node calls an external service with retries and timeouts",
    "request analysis contract business logic refined code json schema",
]


def build_tiny_lm(directory: Path, *, n_positions: int = 4096, chat_template: str | None = None) -> Path:
    """A randomly initialised 1-layer GPT-2 and a word-level tokenizer, saved like any HF model."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(special_tokens=["[UNK]", "[PAD]", "[EOS]"])
    tokenizer.train_from_iterator(TRAINING_TEXT, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", eos_token="[EOS]"
    )
    if chat_template:
        fast.chat_template = chat_template
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=fast.vocab_size,
        n_positions=n_positions,
        n_layer=1,
        n_head=2,
        n_embd=32,
        bos_token_id=fast.eos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    model = GPT2LMHeadModel(config)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    fast.save_pretrained(directory)
    return directory


CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} {% endfor %}"
    "{% if add_generation_prompt %}assistant : {% endif %}"
)
