"""Output of node_stats_summary_compute."""

from pydantic import BaseModel, ConfigDict


class ModelStatsSummaryOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int
    mean: float
    median: float
    stdev: float
    minimum: float
    maximum: float
    p90: float
    p99: float
