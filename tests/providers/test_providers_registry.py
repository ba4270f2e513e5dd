"""build_stage_model (keys from secrets or env) and fallback_chain order."""

from __future__ import annotations

import httpx
import pytest
import respx

from nodegen.config import (
    LOCAL_RULES,
    ModelCatalogue,
    ModelSelectionConfig,
    load_model_catalogue,
    load_model_selection,
)
from nodegen.errors import ModelCallError
from nodegen.providers.llm_stage import LLMStageModel
from nodegen.providers.registry import build_stage_model, fallback_chain
from nodegen.stages import Stage
from tests.providers.provider_fakes import ANTHROPIC_URL, anthropic_message


@pytest.fixture
def catalogue() -> ModelCatalogue:
    return load_model_catalogue()


def test_anthropic_key_from_secrets_reaches_the_wire(
    catalogue: ModelCatalogue, http: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    model = build_stage_model(
        "claude-haiku-4-5", catalogue, secrets={"ANTHROPIC_API_KEY": "sk-from-resource"}
    )
    assert isinstance(model, LLMStageModel)
    assert (model.name, model.provider) == ("claude-haiku-4-5", "anthropic")
    route = http.post(f"{ANTHROPIC_URL}/v1/messages").mock(
        return_value=httpx.Response(200, json=anthropic_message("hi"))
    )
    completion = model.lm.complete(system="s", prompt="p", max_tokens=8, temperature=0)
    assert "sk-from-resource" in route.calls.last.request.headers["authorization"]
    spec = catalogue.get("claude-haiku-4-5")
    assert completion.usage.cost_usd == pytest.approx(spec.cost_usd(120, 40, 0, 900))


def test_anthropic_key_from_environment(catalogue: ModelCatalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-env")
    assert build_stage_model("claude-haiku-4-5", catalogue).provider == "anthropic"


def test_missing_key_is_a_clear_non_retryable_error(
    catalogue: ModelCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ModelCallError, match="ANTHROPIC_API_KEY") as info:
        build_stage_model("claude-opus-4-1", catalogue, secrets={})
    assert not info.value.retryable


def test_openai_compatible_without_key_env(catalogue: ModelCatalogue) -> None:
    model = build_stage_model("llama3.1-8b-ollama", catalogue)
    assert model.provider == "openai_compatible" and model.name == "llama3.1-8b-ollama"


def test_transformers_builds_lazily(catalogue: ModelCatalogue) -> None:
    # Building does not load weights; the directory is only read on the first call.
    model = build_stage_model("local-transformers", catalogue)
    assert model.provider == "transformers"


def test_unknown_model(catalogue: ModelCatalogue) -> None:
    with pytest.raises(Exception, match="not in the model catalogue"):
        build_stage_model("gpt-99", catalogue)


def test_local_rules_branch(catalogue: ModelCatalogue) -> None:
    try:
        from nodegen.offline import LocalRulesModel  # noqa: F401
    except ImportError:
        with pytest.raises(ModelCallError, match="cannot be imported") as info:
            build_stage_model(LOCAL_RULES, catalogue)
        assert not info.value.retryable
        pytest.skip("nodegen.offline.LocalRulesModel (another helper's) is not there yet")
    model = build_stage_model(LOCAL_RULES, catalogue)
    assert model.name == LOCAL_RULES


# -- fallback chain -------------------------------------------------------------------------


@pytest.fixture
def selection() -> ModelSelectionConfig:
    return ModelSelectionConfig.model_validate(
        {
            "stages": {
                "contract": {
                    "candidates": [
                        {"model": "claude-haiku-4-5", "priority": 2},
                        {"model": "claude-sonnet-4-5", "priority": 1},
                        {"model": LOCAL_RULES, "priority": 0},
                        {"model": "qwen2.5-coder-7b-vllm", "priority": 3},
                    ]
                }
            }
        }
    )


def test_routed_model_first_then_priority_then_local_rules(selection: ModelSelectionConfig) -> None:
    assert fallback_chain(Stage.CONTRACT, "claude-haiku-4-5", selection) == [
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "qwen2.5-coder-7b-vllm",
        LOCAL_RULES,
    ]


def test_override_goes_first(selection: ModelSelectionConfig) -> None:
    assert fallback_chain(Stage.CONTRACT, "claude-haiku-4-5", selection, "claude-opus-4-1") == [
        "claude-opus-4-1",
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "qwen2.5-coder-7b-vllm",
        LOCAL_RULES,
    ]


def test_override_already_a_candidate_is_not_repeated(selection: ModelSelectionConfig) -> None:
    chain = fallback_chain(Stage.CONTRACT, "claude-sonnet-4-5", selection, "qwen2.5-coder-7b-vllm")
    assert chain == ["qwen2.5-coder-7b-vllm", "claude-sonnet-4-5", "claude-haiku-4-5", LOCAL_RULES]
    assert len(chain) == len(set(chain))


def test_routed_to_local_rules_is_just_local_rules_last(selection: ModelSelectionConfig) -> None:
    assert fallback_chain(Stage.CONTRACT, LOCAL_RULES, selection)[-1] == LOCAL_RULES
    assert fallback_chain(Stage.CONTRACT, LOCAL_RULES, selection).count(LOCAL_RULES) == 1


def test_stage_without_routing_and_the_shipped_config() -> None:
    shipped = load_model_selection()
    assert fallback_chain(Stage.BUSINESS_LOGIC, LOCAL_RULES, shipped) == [LOCAL_RULES]
    assert fallback_chain(Stage.PRD_ANALYSIS, "claude-haiku-4-5", ModelSelectionConfig()) == [
        "claude-haiku-4-5",
        LOCAL_RULES,
    ]
