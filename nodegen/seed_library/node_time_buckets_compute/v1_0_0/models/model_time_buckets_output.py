"""Output of node_time_buckets_compute."""

from pydantic import BaseModel, ConfigDict


class ModelTimeBucketsOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buckets: dict[str, int]
