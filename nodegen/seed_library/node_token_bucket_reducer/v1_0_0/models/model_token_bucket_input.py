"""Input of node_token_bucket_reducer."""

from pydantic import BaseModel, ConfigDict, Field


class ModelTokenBucketInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    capacity: float = Field(gt=0)
    refill_per_s: float = Field(ge=0)
    tokens: float = Field(ge=0)
    last_ts: float
    request_timestamps: list[float]
