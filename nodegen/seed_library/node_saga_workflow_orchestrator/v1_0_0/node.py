"""Orchestrator: sequential saga with reverse-order compensation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .models.model_saga_workflow_input import ModelSagaWorkflowInput
from .models.model_saga_workflow_output import ModelSagaWorkflowOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeSagaWorkflowOrchestrator:
    """Orchestrator: sequential saga with reverse-order compensation."""

    def __init__(
        self,
        handlers: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]] | None = None,
        compensations: dict[str, Callable[[dict[str, Any]], Awaitable[None]]] | None = None,
    ) -> None:
        self._handlers = dict(handlers or {})
        self._compensations = dict(compensations or {})

    async def process(self, input_data: ModelSagaWorkflowInput) -> ModelSagaWorkflowOutput:
        unknown = [s for s in input_data.steps if s not in self._handlers]
        if unknown:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"no handler for {unknown}")
        context = dict(input_data.context)
        completed: list[str] = []
        for step in input_data.steps:
            try:
                context.update(await self._handlers[step](context))
            except Exception as exc:  # any step failure triggers compensation
                compensated: list[str] = []
                for done in reversed(completed):
                    if done in self._compensations:
                        await self._compensations[done](context)
                        compensated.append(done)
                return ModelSagaWorkflowOutput(
                    succeeded=False,
                    completed=completed,
                    compensated=compensated,
                    context=context,
                    error=f"{step}: {exc}",
                )
            completed.append(step)
        return ModelSagaWorkflowOutput(
            succeeded=True, completed=completed, compensated=[], context=context
        )
