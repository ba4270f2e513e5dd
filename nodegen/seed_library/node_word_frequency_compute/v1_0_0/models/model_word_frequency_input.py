"""Input of node_word_frequency_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelWordFrequencyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    top_n: int = Field(default=10, ge=1, le=1000)
