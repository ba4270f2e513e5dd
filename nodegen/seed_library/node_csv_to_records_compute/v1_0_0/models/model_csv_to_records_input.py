"""Input of node_csv_to_records_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelCsvToRecordsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    csv_text: str = Field(min_length=1)
    delimiter: str = Field(default=",", min_length=1, max_length=1)
