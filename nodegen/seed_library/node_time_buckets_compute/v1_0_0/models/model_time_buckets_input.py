"""Input of node_time_buckets_compute."""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class ModelTimeBucketsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timestamps: list[str]
    granularity: Literal["hour", "day"] = "hour"
