"""What the stages need from the outside world, in one object.

The CLI builds it from `Settings`; the Dagster resources build it from their config. Stage models
are built once per process and cached; the routing in force is read from the metrics store.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from nodegen.artifacts import IntelligenceRequest, IntelligenceResponse
from nodegen.config import (
    LOCAL_RULES,
    ModelCatalogue,
    ModelSelectionConfig,
    load_model_catalogue,
    load_model_selection,
)
from nodegen.decision.canary import route_model
from nodegen.providers.base import StageModel
from nodegen.providers.registry import build_stage_model, fallback_chain
from nodegen.request import NodeRequest
from nodegen.settings import Settings
from nodegen.stages import Stage
from nodegen.store import MetricsStore
from nodegen.validation.sandbox import SandboxLimits

if TYPE_CHECKING:
    from nodegen.patterns.store import PatternStore
    from nodegen.pipeline import GenerationState


class PipelineServices:
    def __init__(
        self,
        *,
        store: MetricsStore,
        output_dir: Path,
        catalogue: ModelCatalogue,
        selection: ModelSelectionConfig,
        patterns: PatternStore | None = None,
        sandbox_limits: SandboxLimits | None = None,
        secrets: dict[str, str] | None = None,
    ):
        self.store = store
        self.output_dir = output_dir
        self.catalogue = catalogue
        self.selection = selection
        self.patterns = patterns
        self.sandbox_limits = sandbox_limits or SandboxLimits()
        self._secrets = secrets or {}
        self._models: dict[str, StageModel] = {}

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        with_patterns: bool = True,
        secrets: dict[str, str] | None = None,
    ) -> PipelineServices:
        settings.home.mkdir(parents=True, exist_ok=True)
        catalogue = load_model_catalogue(settings.config_dir / "models.yaml")
        selection = load_model_selection(settings.config_dir / "model_selection.yaml", catalogue)
        store = MetricsStore(settings.database_url)
        store.upgrade()
        patterns = None
        if with_patterns:
            from nodegen.patterns.library import open_pattern_store

            patterns = open_pattern_store(settings.lancedb_uri)
        return cls(
            store=store,
            output_dir=settings.output_dir,
            catalogue=catalogue,
            selection=selection,
            patterns=patterns,
            secrets=secrets,
        )

    @cached_property
    def routing(self) -> dict[str, str]:
        """The routing version in force (read once per process run), else the config's default."""
        current = self.store.current_routing()
        return dict(current.routing) if current else self.selection.default_routing()

    def model_chain(
        self, stage: Stage, correlation_id: str, request: NodeRequest, node_kind: str | None
    ) -> list[str]:
        """Models to try for this call: override or routed/canary model, then fallbacks."""
        override = request.stage_models.get(stage)
        choice = route_model(
            stage, correlation_id, self.routing, self.selection, self.catalogue, node_kind=node_kind
        )
        return fallback_chain(stage, choice.model, self.selection, override)

    def stage_model(self, name: str) -> StageModel:
        if name not in self._models:
            self._models[name] = build_stage_model(name, self.catalogue, secrets=self._secrets)
        return self._models[name]

    def provider_of(self, name: str) -> str:
        spec = self.catalogue.models.get(name)
        return spec.provider.value if spec else "unknown"

    def search_patterns(self, query: IntelligenceRequest) -> IntelligenceResponse:
        if self.patterns is None:
            return IntelligenceResponse(correlation_id=query.correlation_id)
        return self.patterns.search(query)

    def remember_success(self, state: GenerationState) -> None:
        """Offer a finished generation to the pattern library (it keeps only the good ones)."""
        if self.patterns is not None:
            from nodegen.patterns.library import remember_generation

            remember_generation(self.patterns, state)


__all__ = ["LOCAL_RULES", "PipelineServices"]
