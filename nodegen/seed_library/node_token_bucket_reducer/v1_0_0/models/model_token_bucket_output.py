"""Output of node_token_bucket_reducer."""

from pydantic import BaseModel, ConfigDict


class ModelTokenBucketOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokens: float
    last_ts: float
    decisions: list[bool]
    intents: list[str]
