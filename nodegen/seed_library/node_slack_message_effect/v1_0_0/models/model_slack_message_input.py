"""Input of node_slack_message_effect."""

from pydantic import BaseModel, ConfigDict, Field


class ModelSlackMessageInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1)
    text: str = Field(min_length=1, max_length=40_000)
    token: str = Field(min_length=1)
    api_url: str = "https://slack.com/api"
