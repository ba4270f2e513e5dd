"""Normalise the metrics-store frames so that reports, alerts and notebooks see one shape.

The store (or a CSV backfill) may hand over frames with missing optional columns, naive or
string timestamps, or `patterns_used` as JSON text instead of lists; everything downstream
relies on the columns below existing with UTC timestamps, so this is done once, here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

STAGE_COLUMNS: tuple[str, ...] = (
    "correlation_id",
    "stage",
    "attempt",
    "model_used",
    "provider",
    "tokens_input",
    "tokens_output",
    "latency_ms",
    "cost_usd",
    "quality_score",
    "success",
    "patterns_used",
    "error",
    "node_kind",
    "timestamp",
)
GENERATION_COLUMNS: tuple[str, ...] = (
    "correlation_id",
    "request_id",
    "node_name",
    "node_kind",
    "domain",
    "status",
    "quality_score",
    "success",
    "total_cost_usd",
    "total_latency_ms",
    "output_path",
    "created_at",
    "finished_at",
)
DECISION_COLUMNS: tuple[str, ...] = (
    "decision_id",
    "stage",
    "node_kind",
    "previous_model",
    "new_model",
    "kind",
    "reason",
    "expected_quality",
    "expected_cost_savings_pct",
    "evidence",
    "status",
    "timestamp",
)

_REQUIRED_STAGE = ("correlation_id", "stage", "model_used", "quality_score", "success", "timestamp")
_REQUIRED_GEN = ("correlation_id", "success", "created_at")
_REQUIRED_DEC = ("stage", "previous_model", "new_model", "kind", "timestamp")
_NUMERIC_STAGE = ("tokens_input", "tokens_output", "latency_ms", "cost_usd", "quality_score")
_NUMERIC_GEN = ("quality_score", "total_cost_usd", "total_latency_ms")


class FrameError(ValueError):
    """A metrics frame lacks a required column or holds values of the wrong kind."""


def to_utc(values: pd.Series, column: str) -> pd.Series:
    """Parse to tz-aware UTC; naive values are taken to be UTC already (the store writes UTC)."""
    try:
        parsed = pd.to_datetime(values, utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        raise FrameError(f"column {column!r} holds values that are not timestamps: {exc}") from exc
    return parsed


def to_py(ts: pd.Timestamp) -> datetime:
    """A pandas timestamp as a datetime, dropping sub-microsecond digits without a warning."""
    return ts.floor("us").to_pydatetime()


def _check(frame: pd.DataFrame, required: Iterable[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise FrameError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty and len(frame.columns) == 0:
        return
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FrameError(f"{name} frame is missing required column(s) {missing}")


def _with_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return out


def _to_bool(values: pd.Series) -> pd.Series:
    if values.dtype == bool:
        return values
    mapped = values.map(
        lambda v: str(v).strip().lower() in ("1", "true", "t", "yes") if isinstance(v, str) else v
    )
    return mapped.fillna(False).astype(bool)


def stage_frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    """stage_metrics rows with every column present, numeric types, UTC `timestamp`."""
    frame = pd.DataFrame(columns=list(STAGE_COLUMNS)) if frame is None else frame
    _check(frame, _REQUIRED_STAGE, "stage_metrics")
    out = _with_columns(frame, STAGE_COLUMNS)
    for column in _NUMERIC_STAGE:
        out[column] = pd.to_numeric(out[column], errors="coerce").fillna(0.0).astype(float)
    out["attempt"] = pd.to_numeric(out["attempt"], errors="coerce").fillna(1).astype(int)
    out["success"] = _to_bool(out["success"])
    out["stage"] = out["stage"].astype(str)
    out["model_used"] = out["model_used"].astype(str)
    out["timestamp"] = to_utc(out["timestamp"], "timestamp")
    return out


def generations_frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    """generations rows with every column present, numeric types, UTC `created_at`."""
    frame = pd.DataFrame(columns=list(GENERATION_COLUMNS)) if frame is None else frame
    _check(frame, _REQUIRED_GEN, "generations")
    out = _with_columns(frame, GENERATION_COLUMNS)
    for column in _NUMERIC_GEN:
        out[column] = pd.to_numeric(out[column], errors="coerce").fillna(0.0).astype(float)
    out["success"] = _to_bool(out["success"])
    out["created_at"] = to_utc(out["created_at"], "created_at")
    out["finished_at"] = to_utc(out["finished_at"], "finished_at")
    return out


def decisions_frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    """model_selection_decisions rows with every column present and UTC `timestamp`."""
    frame = pd.DataFrame(columns=list(DECISION_COLUMNS)) if frame is None else frame
    _check(frame, _REQUIRED_DEC, "model_selection_decisions")
    out = _with_columns(frame, DECISION_COLUMNS)
    out["timestamp"] = to_utc(out["timestamp"], "timestamp")
    out["kind"] = out["kind"].map(lambda v: getattr(v, "value", v)).astype(str).str.lower()
    out["stage"] = out["stage"].map(lambda v: getattr(v, "value", v)).astype(str)
    if out["decision_id"].isna().any():
        fallback = pd.Series(
            [f"decision-{i}" for i in range(len(out))], index=out.index, dtype=object
        )
        out["decision_id"] = out["decision_id"].where(out["decision_id"].notna(), fallback)
    return out


def parse_patterns(value: Any) -> list[str]:
    """`patterns_used` as a list of ids, whether stored as a list, an array or JSON text."""
    if value is None:
        return []
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    if isinstance(value, str):
        text = value.strip()
        if not text or text in ("[]", "null", "None"):
            return []
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return [p.strip() for p in text.split(",") if p.strip()]
        if parsed is None:
            return []
        if isinstance(parsed, list):
            return [str(v) for v in parsed]
        return [str(parsed)]
    return [str(value)]


def has_patterns(values: pd.Series) -> np.ndarray:
    """Boolean mask: did the row use at least one retrieved pattern? (fast path, no JSON parse)."""

    def one(value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, str):
            text = value.strip()
            return bool(text) and text not in ("[]", "null", "None")
        if isinstance(value, float):
            return not np.isnan(value)
        if isinstance(value, (list, tuple, np.ndarray)):
            return len(value) > 0
        return True

    return np.fromiter((one(v) for v in values), dtype=bool, count=len(values))
