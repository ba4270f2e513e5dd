"""Output of node_fan_out_aggregate_orchestrator."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelFanOutAggregateOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    results: dict[str, float]
    failed: list[str]
    total: float
    actions: list[dict[str, Any]]
