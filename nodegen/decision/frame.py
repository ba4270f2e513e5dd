"""The metrics frame the decision engine reads: the columns of the `stage_metrics` table."""

from __future__ import annotations

import pandas as pd

from nodegen.errors import ConfigError

REQUIRED_COLUMNS = (
    "correlation_id",
    "stage",
    "model_used",
    "quality_score",
    "success",
    "cost_usd",
    "timestamp",
)
OPTIONAL_DEFAULTS: dict[str, object] = {
    "attempt": 1,
    "provider": "",
    "tokens_input": 0,
    "tokens_output": 0,
    "latency_ms": 0.0,
    "patterns_used": 0,
    "error": None,
    "node_kind": None,
}
METRIC_COLUMNS = REQUIRED_COLUMNS + tuple(OPTIONAL_DEFAULTS)

_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not pd.isna(value):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE or text == "nan":
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _pattern_count(value: object) -> int:
    """patterns_used may be a list, a JSON-ish string list, or already a count."""
    if isinstance(value, list | tuple):
        return len(value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return 0
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    text = text.strip("[]")
    return len([p for p in text.split(",") if p.strip().strip("'\"")])


def normalize_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate and coerce a stage-metrics frame; raise ConfigError naming what is wrong.

    Timestamps become tz-aware UTC (naive ones are taken as UTC); patterns_used becomes a count;
    node_kind missing/blank becomes None.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(f"metrics frame lacks required columns: {', '.join(missing)}")
    out = frame.copy()
    for column, default in OPTIONAL_DEFAULTS.items():
        if column not in out.columns:
            out[column] = default
    if out.empty:
        out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True)
        return out
    try:
        out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"metrics frame: bad timestamp: {exc}") from exc
    for column in ("quality_score", "cost_usd", "latency_ms"):
        try:
            out[column] = pd.to_numeric(out[column]).astype(float)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"metrics frame: column {column} is not numeric: {exc}") from exc
    if out["quality_score"].isna().any() or out["cost_usd"].isna().any():
        raise ConfigError("metrics frame: quality_score and cost_usd must not be empty")
    if ((out["quality_score"] < 0) | (out["quality_score"] > 1)).any():
        raise ConfigError("metrics frame: quality_score must be within [0, 1]")
    if (out["cost_usd"] < 0).any():
        raise ConfigError("metrics frame: cost_usd must be >= 0")
    try:
        out["success"] = out["success"].map(_to_bool).astype(bool)
    except ValueError as exc:
        raise ConfigError(f"metrics frame: column success: {exc}") from exc
    out["latency_ms"] = out["latency_ms"].fillna(0.0)
    out["patterns_used"] = out["patterns_used"].map(_pattern_count).astype(int)
    out["stage"] = out["stage"].astype(str)
    out["model_used"] = out["model_used"].astype(str)
    out["correlation_id"] = out["correlation_id"].astype(str)
    kinds = out["node_kind"].astype(object)
    out["node_kind"] = kinds.where(kinds.notna() & (kinds.astype(str).str.strip() != ""), None)
    return out


def empty_metrics() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in METRIC_COLUMNS})
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame
