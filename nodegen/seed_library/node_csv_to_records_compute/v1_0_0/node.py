"""Pure compute: CSV text to typed records."""

from __future__ import annotations

import csv
import io
from typing import Any

from .models.model_csv_to_records_input import ModelCsvToRecordsInput
from .models.model_csv_to_records_output import ModelCsvToRecordsOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def convert(cell: str) -> Any:
    """int, then float, else the stripped string."""
    value = cell.strip()
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


class NodeCsvToRecordsCompute:
    """Pure compute: CSV text to typed records."""

    async def process(self, input_data: ModelCsvToRecordsInput) -> ModelCsvToRecordsOutput:
        reader = csv.reader(io.StringIO(input_data.csv_text), delimiter=input_data.delimiter)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration as exc:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "no header row") from exc
        if len(set(header)) != len(header):
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "duplicate column names")
        records: list[dict[str, Any]] = []
        bad: list[int] = []
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(header):
                bad.append(line_no)
                continue
            records.append({k: convert(v) for k, v in zip(header, row, strict=True)})
        return ModelCsvToRecordsOutput(records=records, bad_rows=bad)
