"""Configuration files, validated by pydantic at load.

`config/models.yaml`          the model catalogue: provider, provider model id, prices, connection.
`config/model_selection.yaml` routing: per stage, candidate models by priority, thresholds, and the
                              migration / rollback / canary rules of the decision engine.
Errors name the file, the path inside it and the problem.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nodegen.errors import ConfigError
from nodegen.stages import Stage

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
LOCAL_RULES = "local-rules"
M = TypeVar("M", bound=BaseModel)


class ProviderKind(StrEnum):
    LOCAL_RULES = "local_rules"
    ANTHROPIC = "anthropic"
    OPENAI_COMPATIBLE = "openai_compatible"
    TRANSFORMERS = "transformers"


class ModelSpec(BaseModel):
    """One model of the catalogue, with its price list."""

    model_config = ConfigDict(extra="forbid")

    provider: ProviderKind
    model_id: str | None = Field(default=None, description="The provider's own id; default: the key")
    input_per_mtok: float = Field(default=0.0, ge=0)
    output_per_mtok: float = Field(default=0.0, ge=0)
    cache_read_per_mtok: float = Field(default=0.0, ge=0)
    cache_write_per_mtok: float = Field(default=0.0, ge=0)
    cost_per_compute_second: float = Field(default=0.0, ge=0)
    base_url: str | None = None
    api_key_env: str | None = None
    path: str | None = Field(default=None, description="transformers: local model directory")
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0)
    max_tokens: int = Field(default=4096, gt=0)
    temperature: float = Field(default=0.0, ge=0, le=2)

    def cost_usd(
        self,
        tokens_input: int,
        tokens_output: int,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        compute_seconds: float = 0.0,
    ) -> float:
        return (
            tokens_input * self.input_per_mtok
            + tokens_output * self.output_per_mtok
            + cache_read_tokens * self.cache_read_per_mtok
            + cache_write_tokens * self.cache_write_per_mtok
        ) / 1_000_000 + compute_seconds * self.cost_per_compute_second


class ModelCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prices_as_of: date
    price_source: str = ""
    models: dict[str, ModelSpec]

    @model_validator(mode="after")
    def _has_local_rules(self) -> ModelCatalogue:
        if LOCAL_RULES not in self.models:
            self.models[LOCAL_RULES] = ModelSpec(provider=ProviderKind.LOCAL_RULES)
        return self

    def get(self, name: str) -> ModelSpec:
        try:
            return self.models[name]
        except KeyError:
            raise ConfigError(f"model {name!r} is not in the model catalogue (models.yaml)") from None


class Candidate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    priority: int = Field(ge=0, description="Lower is preferred while quality holds")
    latency_target_ms: float | None = Field(default=None, gt=0)


class StageRouting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidates: list[Candidate] = Field(min_length=1)
    quality_threshold: float = Field(default=0.9, ge=0, le=1)
    success_threshold: float = Field(default=0.9, ge=0, le=1)
    latency_target_ms: float | None = Field(default=None, gt=0)
    pool: str | None = Field(default=None, description="Dagster concurrency pool override")

    def by_priority(self) -> list[Candidate]:
        return sorted(self.candidates, key=lambda c: c.priority)


class MigrationRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_hours: float = Field(default=168, gt=0)
    min_current_samples: int = Field(default=100, ge=1)
    min_candidate_samples: int = Field(default=50, ge=1)
    max_quality_drop: float = Field(default=0.03, ge=0)
    hard_quality_drop: float = Field(default=0.05, ge=0)
    min_cost_saving_pct: float = Field(default=50.0, ge=0, le=100)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    per_node_kind: bool = True


class RollbackRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_hours: float = Field(default=24, gt=0)
    min_samples: int = Field(default=20, ge=1)
    max_quality_drop: float = Field(default=0.05, ge=0)
    cooldown_hours: float = Field(default=72, ge=0, description="No re-migration without new evidence")


class DecisionMode(StrEnum):
    AUTOMATIC = "automatic"
    DRY_RUN = "dry_run"
    APPROVAL = "approval"


class ModelSelectionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: DecisionMode = DecisionMode.AUTOMATIC
    canary_share: float = Field(default=0.10, ge=0, le=0.5)
    refinement_max_attempts: int = Field(default=2, ge=0, le=10)
    migration: MigrationRules = Field(default_factory=MigrationRules)
    rollback: RollbackRules = Field(default_factory=RollbackRules)
    concurrency_pools: dict[str, int] = Field(
        default_factory=lambda: {"anthropic": 4, "openai_compatible": 4, "transformers": 1}
    )
    stages: dict[Stage, StageRouting] = Field(default_factory=dict)

    def routing_for(self, stage: Stage) -> StageRouting:
        return self.stages.get(stage) or StageRouting(candidates=[Candidate(model=LOCAL_RULES, priority=100)])

    def default_routing(self) -> dict[str, str]:
        """stage -> the highest-priority candidate: the routing in force before any migration."""
        return {stage.value: self.routing_for(stage).by_priority()[0].model for stage in Stage}


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: malformed YAML: {str(exc).splitlines()[0]}") from exc


def _validate(model: type[M], data: Any, path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc


def load_model_catalogue(path: Path | None = None) -> ModelCatalogue:
    path = path or DEFAULT_CONFIG_DIR / "models.yaml"
    return _validate(ModelCatalogue, _load_yaml(path), path)


def load_model_selection(path: Path | None = None, catalogue: ModelCatalogue | None = None) -> ModelSelectionConfig:
    path = path or DEFAULT_CONFIG_DIR / "model_selection.yaml"
    config = _validate(ModelSelectionConfig, _load_yaml(path), path)
    if catalogue is not None:
        for stage, routing in config.stages.items():
            for index, candidate in enumerate(routing.candidates):
                if candidate.model not in catalogue.models:
                    raise ConfigError(
                        f"{path}: stages.{stage.value}.candidates.{index}.model: "
                        f"{candidate.model!r} is not in models.yaml"
                    )
    return config
