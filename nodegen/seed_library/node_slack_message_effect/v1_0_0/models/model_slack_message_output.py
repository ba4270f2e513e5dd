"""Output of node_slack_message_effect."""

from pydantic import BaseModel, ConfigDict


class ModelSlackMessageOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    ts: str
