"""Output of node_word_frequency_compute."""

from pydantic import BaseModel, ConfigDict


class ModelWordFrequencyOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[tuple[str, int]]
    total_words: int
