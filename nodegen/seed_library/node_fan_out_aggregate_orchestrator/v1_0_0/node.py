"""Orchestrator: concurrent fan-out to injected worker nodes with timeouts and aggregation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from .models.model_fan_out_aggregate_input import ModelFanOutAggregateInput
from .models.model_fan_out_aggregate_output import ModelFanOutAggregateOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeFanOutAggregateOrchestrator:
    """Orchestrator: concurrent fan-out to injected worker nodes with timeouts and aggregation."""

    def __init__(self, workers: dict[str, Callable[[Any], Awaitable[float]]] | None = None) -> None:
        self._workers = dict(workers or {})

    async def process(self, input_data: ModelFanOutAggregateInput) -> ModelFanOutAggregateOutput:
        if not self._workers:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "no workers configured")
        names = sorted(self._workers)

        async def call(name: str) -> float:
            return await asyncio.wait_for(
                self._workers[name](input_data.query), input_data.timeout_s
            )

        outcomes = await asyncio.gather(*(call(n) for n in names), return_exceptions=True)
        results = {
            n: float(r)
            for n, r in zip(names, outcomes, strict=True)
            if not isinstance(r, BaseException)
        }
        failed = [n for n, r in zip(names, outcomes, strict=True) if isinstance(r, BaseException)]
        if len(results) < input_data.min_successes:
            raise OnexError(
                "ONEX_CORE_002_EXTERNAL_UNAVAILABLE", f"only {len(results)} workers answered"
            )
        actions = [{"action": "retry_worker", "worker": n} for n in failed]
        return ModelFanOutAggregateOutput(
            results=results, failed=failed, total=sum(results.values()), actions=actions
        )
