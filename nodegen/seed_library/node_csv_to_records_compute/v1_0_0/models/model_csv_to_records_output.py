"""Output of node_csv_to_records_compute."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelCsvToRecordsOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]]
    bad_rows: list[int]
