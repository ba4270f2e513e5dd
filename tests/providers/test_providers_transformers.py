"""TransformersModel over a tiny randomly initialised GPT-2 saved to disk and loaded back."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodegen.artifacts import IntelligenceResponse
from nodegen.config import ModelSpec, ProviderKind
from nodegen.errors import ModelCallError
from nodegen.providers.llm_stage import LLMStageModel
from nodegen.providers.transformers_provider import TransformersModel, load_cached
from nodegen.request import NodeRequest
from tests.providers.provider_fakes import build_tiny_lm


def _spec(path: Path, **overrides: object) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "provider": ProviderKind.TRANSFORMERS,
            "path": str(path),
            "cost_per_compute_second": 0.25,
            "max_tokens": 24,
            **overrides,
        }
    )


def test_generates_with_real_token_counts_and_compute_cost(tiny_lm_dir: Path) -> None:
    from transformers import AutoTokenizer

    model = TransformersModel("tiny", _spec(tiny_lm_dir))
    system, prompt = "you build a node", "compute the total of the order lines"
    completion = model.complete(system=system, prompt=prompt, max_tokens=12, temperature=0.0)

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_lm_dir))
    expected_input = len(tokenizer(f"{system}\n\n{prompt}\n\n", add_special_tokens=False)["input_ids"])
    usage = completion.usage
    assert usage.tokens_input == expected_input
    assert 1 <= usage.tokens_output <= 12
    assert usage.compute_seconds > 0
    assert usage.cost_usd == pytest.approx(usage.compute_seconds * 0.25)
    assert completion.text.strip()
    assert completion.provider == "transformers" and completion.model == "tiny"

    # Greedy decoding is deterministic.
    again = model.complete(system=system, prompt=prompt, max_tokens=12, temperature=0.0)
    assert again.text == completion.text


def test_sampling_path_and_lazy_load_once(tiny_lm_dir: Path) -> None:
    first = load_cached(tiny_lm_dir)
    model = TransformersModel("tiny", _spec(tiny_lm_dir))
    completion = model.complete(system="s", prompt="the node", max_tokens=8, temperature=0.9)
    assert completion.usage.tokens_output <= 8
    assert load_cached(tiny_lm_dir) is first


def test_chat_template_is_used(tiny_chat_lm_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_chat_lm_dir))
    rendered = tokenizer.apply_chat_template(
        [{"role": "system", "content": "s"}, {"role": "user", "content": "the node"}],
        tokenize=False,
        add_generation_prompt=True,
    )
    model = TransformersModel("tiny-chat", _spec(tiny_chat_lm_dir))
    completion = model.complete(system="s", prompt="the node", max_tokens=4, temperature=0.0)
    assert completion.usage.tokens_input == len(tokenizer(rendered, add_special_tokens=False)["input_ids"])
    assert rendered.startswith("system : s user : the node")


def test_prompt_longer_than_context_window(tmp_path: Path) -> None:
    path = build_tiny_lm(tmp_path / "short", n_positions=16)
    model = TransformersModel("tiny-short", _spec(path))
    with pytest.raises(ModelCallError, match="context window") as info:
        model.complete(system="the node " * 20, prompt="x", max_tokens=4, temperature=0.0)
    assert not info.value.retryable


def test_missing_directory(tmp_path: Path) -> None:
    model = TransformersModel("nowhere", _spec(tmp_path / "missing"))
    with pytest.raises(ModelCallError, match="does not exist") as info:
        model.complete(system="s", prompt="p", max_tokens=4, temperature=0.0)
    assert not info.value.retryable


def test_llm_stage_over_junk_output_raises_with_usage(tiny_lm_dir: Path) -> None:
    """A random model cannot produce JSON: the stage fails with the call's real tokens, so the
    pipeline records it and falls back."""
    stage_model = LLMStageModel(TransformersModel("tiny", _spec(tiny_lm_dir)))
    request = NodeRequest(prompt="Compute the total of the order lines with a discount")
    with pytest.raises(ModelCallError, match="unusable prd_analysis output") as info:
        stage_model.analyse_prd(request, IntelligenceResponse(correlation_id="c1"))
    assert info.value.retryable
    usage = info.value.usage
    assert usage.tokens_input > 500  # the system prompt with the JSON schema
    assert 1 <= usage.tokens_output <= 24
    assert usage.cost_usd > 0
