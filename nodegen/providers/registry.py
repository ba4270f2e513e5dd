"""From a model name in the catalogue to a ready `StageModel`, and the fallback order.

Keys come from `secrets` (the Dagster resource passes EnvVar values, keyed by the env var name
that models.yaml gives as `api_key_env`) or from the process environment. A missing key is a
ModelCallError(retryable=False) at build time, so the pipeline records it and falls back; nothing
fails at import. SDKs and torch are imported only inside the branch that needs them.
"""

from __future__ import annotations

import os

from nodegen.config import (
    LOCAL_RULES,
    ModelCatalogue,
    ModelSelectionConfig,
    ModelSpec,
    ProviderKind,
)
from nodegen.errors import ModelCallError
from nodegen.providers.base import StageModel
from nodegen.stages import Stage


def resolve_api_key(
    model_name: str, spec: ModelSpec, secrets: dict[str, str] | None, *, required: bool
) -> str | None:
    """The key named by `api_key_env`, from `secrets` first, then the environment."""
    if not spec.api_key_env:
        if required:
            raise ModelCallError(
                f"model {model_name!r}: models.yaml gives no api_key_env for a provider that needs a key",
                retryable=False,
            )
        return None
    key = (secrets or {}).get(spec.api_key_env) or os.environ.get(spec.api_key_env)
    if not key:
        raise ModelCallError(
            f"model {model_name!r}: no API key: set the environment variable "
            f"{spec.api_key_env} (or pass it to the provider resource)",
            retryable=False,
        )
    return key


def build_stage_model(
    model_name: str, catalogue: ModelCatalogue, *, secrets: dict[str, str] | None = None
) -> StageModel:
    spec = catalogue.get(model_name)
    if spec.provider == ProviderKind.LOCAL_RULES:
        try:
            from nodegen.offline import LocalRulesModel  # type: ignore[attr-defined]
        except ImportError as exc:
            raise ModelCallError(
                f"the offline {LOCAL_RULES} model cannot be imported: {exc}", retryable=False
            ) from exc
        return LocalRulesModel()  # type: ignore[no-any-return]

    from nodegen.providers.llm_stage import LLMStageModel

    if spec.provider == ProviderKind.ANTHROPIC:
        from nodegen.providers.anthropic_provider import AnthropicModel

        key = resolve_api_key(model_name, spec, secrets, required=True)
        assert key is not None
        return LLMStageModel(AnthropicModel(model_name, spec, key))
    if spec.provider == ProviderKind.OPENAI_COMPATIBLE:
        from nodegen.providers.openai_provider import OpenAICompatibleModel

        key = resolve_api_key(model_name, spec, secrets, required=False)
        return LLMStageModel(OpenAICompatibleModel(model_name, spec, key))
    if spec.provider == ProviderKind.TRANSFORMERS:
        from nodegen.providers.transformers_provider import TransformersModel

        return LLMStageModel(TransformersModel(model_name, spec))
    raise ModelCallError(f"model {model_name!r}: unknown provider {spec.provider!r}", retryable=False)


def fallback_chain(
    stage: Stage,
    routing_model: str,
    selection: ModelSelectionConfig,
    override: str | None = None,
) -> list[str]:
    """Models to try in order: the request's override, the routed model, the stage's other
    candidates by priority, then local-rules last; no duplicates."""
    ordered = [override] if override else []
    ordered.append(routing_model)
    ordered.extend(c.model for c in selection.routing_for(stage).by_priority())
    chain: list[str] = []
    for name in ordered:
        if name and name not in chain and name != LOCAL_RULES:
            chain.append(name)
    chain.append(LOCAL_RULES)
    return chain
