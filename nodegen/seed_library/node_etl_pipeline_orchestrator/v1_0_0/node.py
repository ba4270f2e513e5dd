"""Orchestrator: dependency-ordered, stage-parallel run actions for pipeline steps."""

from __future__ import annotations

from .models.model_etl_pipeline_input import ModelEtlPipelineInput
from .models.model_etl_pipeline_output import ModelEtlPipelineOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeEtlPipelineOrchestrator:
    """Orchestrator: dependency-ordered, stage-parallel run actions for pipeline steps."""

    async def process(self, input_data: ModelEtlPipelineInput) -> ModelEtlPipelineOutput:
        deps = {step: set(requires) for step, requires in input_data.steps.items()}
        for step, requires in deps.items():
            missing = requires - deps.keys()
            if missing:
                raise OnexError(
                    "ONEX_CORE_001_INVALID_PARAMETER", f"{step} needs unknown {missing}"
                )
        stages: list[list[str]] = []
        done: set[str] = set()
        while len(done) < len(deps):
            ready = sorted(s for s, req in deps.items() if s not in done and req <= done)
            if not ready:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "dependency cycle")
            stages.append(ready)
            done.update(ready)
        actions = [
            {"action": "run_node", "step": step, "stage": index}
            for index, stage in enumerate(stages)
            for step in stage
        ]
        return ModelEtlPipelineOutput(stages=stages, actions=actions)
