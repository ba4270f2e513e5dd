"""Input of node_fan_out_aggregate_orchestrator."""

from pydantic import BaseModel, ConfigDict, Field


class ModelFanOutAggregateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1)
    timeout_s: float = Field(default=5.0, gt=0)
    min_successes: int = Field(default=1, ge=1)
