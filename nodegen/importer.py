"""Load historical stage metrics (CSV or parquet, the stage_metrics columns) into the store.

Every row is validated as a `GenerationMetrics`; good rows are loaded in one transaction (known
(correlation_id, stage, attempt) keys are skipped, so importing a file twice loads nothing new) and
rejected rows are written to a report (CSV or JSON by suffix) with row number, column and reason.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from nodegen.records import GenerationMetrics
from nodegen.store import MetricsStore

_TEXT_COLUMNS = ("correlation_id", "stage", "model_used", "provider", "error", "node_kind",
                 "patterns_used", "timestamp")
_IGNORED_COLUMNS = frozenset({"id"})  # the store assigns ids
_ONE = TypeAdapter(GenerationMetrics)
MAX_REPORTED_IN_MEMORY = 1000


class RejectedRow(BaseModel):
    """One reason a row was not loaded. ``row`` is 1-based over data rows (header excluded)."""

    row: int
    column: str
    reason: str
    value: str | None = None


class ImportReport(BaseModel):
    """Outcome of one import."""

    path: str
    total_rows: int
    valid_rows: int
    loaded: int = Field(description="rows new to the store")
    duplicates: int = Field(description="valid rows whose key was already stored (or repeated)")
    rejected: int
    report_path: str | None = None
    errors: list[RejectedRow] = Field(
        default_factory=list, description=f"first {MAX_REPORTED_IN_MEMORY} rejections"
    )


def read_metrics_file(path: Path) -> pd.DataFrame:
    """Read a CSV or parquet file of stage metrics; text columns stay text."""
    if not path.exists():
        raise FileNotFoundError(f"metrics file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        dtypes = {c: "object" for c in _TEXT_COLUMNS}
        return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise ValueError(f"unsupported metrics file type {path.suffix!r} (use .csv or .parquet): {path}")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with missing cells dropped (so model defaults apply) and patterns decoded."""
    columns = [c for c in frame.columns if c not in _IGNORED_COLUMNS]
    data = {c: frame[c].tolist() for c in columns}
    out: list[dict[str, Any]] = []
    for i in range(len(frame)):
        record: dict[str, Any] = {}
        for c in columns:
            v = data[c][i]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if c == "patterns_used" and isinstance(v, str):
                v = _patterns(v)
            elif c == "patterns_used" and not isinstance(v, list):
                v = list(v)  # parquet list columns come back as arrays
            record[c] = v
        out.append(record)
    return out


def _patterns(text: str) -> Any:
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # validation reports it as not a list
    return [p for p in text.split(";") if p]


def import_metrics(
    store: MetricsStore, path: Path, report_path: Path | None = None, chunk_size: int = 50_000
) -> ImportReport:
    """Validate and load a metrics file; see the module docstring."""
    path = Path(path)
    frame = read_metrics_file(path)
    unknown = set(frame.columns) - set(GenerationMetrics.model_fields) - _IGNORED_COLUMNS
    if unknown:
        raise ValueError(
            f"{path}: unknown columns {sorted(unknown)}; expected the stage_metrics columns "
            f"{sorted(GenerationMetrics.model_fields)}"
        )
    rows: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    rejected_count = 0
    records = _records(frame)
    for index, record in enumerate(records, start=1):
        try:
            metrics = _ONE.validate_python(record)
        except ValidationError as exc:
            rejected_count += 1
            for err in exc.errors(include_url=False):
                column = ".".join(str(p) for p in err["loc"]) or "(row)"
                value = record.get(str(err["loc"][0])) if err["loc"] else None
                rejected.append(
                    RejectedRow(row=index, column=column, reason=err["msg"],
                                value=None if value is None else str(value)[:200])
                )
            continue
        rows.append(MetricsStore.stage_metric_row(metrics))
    loaded = store.insert_stage_rows(rows, chunk_size=chunk_size) if rows else 0
    written = None
    if report_path is not None:
        written = str(_write_report(Path(report_path), rejected))
    return ImportReport(
        path=str(path), total_rows=len(records), valid_rows=len(rows), loaded=loaded,
        duplicates=len(rows) - loaded, rejected=rejected_count, report_path=written,
        errors=rejected[:MAX_REPORTED_IN_MEMORY],
    )


def _write_report(report_path: Path, rejected: list[RejectedRow]) -> Path:
    report_path.parent.mkdir(parents=True, exist_ok=True)
    if report_path.suffix.lower() == ".json":
        report_path.write_text(
            json.dumps(
                {"rejected": [r.model_dump() for r in rejected]},
                indent=2,
            )
        )
        return report_path
    with report_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["row", "column", "reason", "value"])
        writer.writeheader()
        for r in rejected:
            writer.writerow(r.model_dump())
    return report_path
