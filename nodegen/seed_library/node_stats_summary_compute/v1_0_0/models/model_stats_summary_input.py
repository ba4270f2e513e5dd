"""Input of node_stats_summary_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelStatsSummaryInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: list[float] = Field(min_length=1)
