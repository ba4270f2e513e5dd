"""Summaries of stage metrics and generations, pure pandas (no database).

The decision engine and the reports read these frames. `MetricsStore.stage_summary` computes the same
table as `model_performance_summary` inside the database (tests check they agree).

Windows are half-open on the left: a row is in window W when ``now - W < timestamp <= now``.
Percentiles are linear interpolation (pandas' default, PostgreSQL's ``percentile_cont``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

#: name -> length of the rolling windows, shortest first.
WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}

SUMMARY_COLUMNS: list[str] = [
    "window",
    "stage",
    "model_used",
    "samples",
    "success_rate",
    "mean_quality",
    "p50_latency_ms",
    "p95_latency_ms",
    "mean_cost_usd",
    "total_cost_usd",
]

KPI_COLUMNS: list[str] = [
    "period",
    "generations",
    "success_rate",
    "cost_per_generation_usd",
    "latency_per_generation_ms",
    "stage_calls",
    "pattern_reuse_rate",
]

DAILY_COLUMNS: list[str] = [
    "day",
    "stage",
    "model_used",
    "samples",
    "success_rate",
    "mean_quality",
    "p50_latency_ms",
    "p95_latency_ms",
    "mean_cost_usd",
    "total_cost_usd",
    "tokens_input",
    "tokens_output",
]


def _utc(value: datetime | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame lacks columns {missing}; it has {list(frame.columns)}")


def _timestamps(frame: pd.DataFrame, column: str = "timestamp") -> pd.Series:
    return pd.to_datetime(frame[column], utc=True, format="ISO8601")


def _group_stats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """samples, success rate, mean quality, p50/p95 latency, mean/total cost per group."""
    grouped = frame.groupby(keys, sort=True, observed=True)
    out = grouped.agg(
        samples=("latency_ms", "size"),
        success_rate=("success", "mean"),
        mean_quality=("quality_score", "mean"),
        mean_cost_usd=("cost_usd", "mean"),
        total_cost_usd=("cost_usd", "sum"),
    )
    latency = grouped["latency_ms"]
    out["p50_latency_ms"] = latency.quantile(0.5)
    out["p95_latency_ms"] = latency.quantile(0.95)
    return out.reset_index()


def empty_summary() -> pd.DataFrame:
    """The summary table with no rows but the right columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in SUMMARY_COLUMNS})
    for c in ("window", "stage", "model_used"):
        frame[c] = frame[c].astype(object)
    frame["samples"] = frame["samples"].astype("int64")
    return frame


def normalize_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Column order, dtypes and row order shared by the pandas and the SQL summary."""
    if frame.empty:
        return empty_summary()
    out = frame[SUMMARY_COLUMNS].copy()
    for c in ("window", "stage", "model_used"):
        out[c] = out[c].astype(str).astype(object)
    out["samples"] = out["samples"].astype("int64")
    for c in SUMMARY_COLUMNS[4:]:
        out[c] = out[c].astype("float64")
    order = {name: i for i, name in enumerate(WINDOWS)}
    out["_w"] = out["window"].map(order)
    out = out.sort_values(["_w", "stage", "model_used"], kind="stable").drop(columns="_w")
    return out.reset_index(drop=True)


def model_performance_summary(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Per window (24h, 7d) x stage x model: the numbers the decision engine compares."""
    _require(
        frame,
        ["stage", "model_used", "latency_ms", "cost_usd", "quality_score", "success", "timestamp"],
        "stage metrics",
    )
    if frame.empty:
        return empty_summary()
    end = _utc(now)
    ts = _timestamps(frame)
    data = frame[["stage", "model_used", "latency_ms", "cost_usd", "quality_score"]].copy()
    data["success"] = frame["success"].astype(bool).astype("float64")
    parts = []
    for name, length in WINDOWS.items():
        in_window = (ts > end - length) & (ts <= end)
        if in_window.any():
            stats = _group_stats(data[in_window.to_numpy()], ["stage", "model_used"])
            stats.insert(0, "window", name)
            parts.append(stats)
    if not parts:
        return empty_summary()
    return normalize_summary(pd.concat(parts, ignore_index=True))


def generation_kpis(
    generations_frame: pd.DataFrame, stage_frame: pd.DataFrame, freq: str = "D"
) -> pd.DataFrame:
    """Success rate, cost and latency per generation, and pattern reuse, per period of `freq`.

    A generation counts in the period of its ``created_at``. ``pattern_reuse_rate`` is the share of
    stage calls in the period (by their own timestamp) that used at least one stored pattern.
    """
    _require(
        generations_frame,
        ["correlation_id", "success", "total_cost_usd", "total_latency_ms", "created_at"],
        "generations",
    )
    _require(stage_frame, ["timestamp", "patterns_used"], "stage metrics")
    gen = pd.DataFrame(
        {
            "period": _timestamps(generations_frame, "created_at").dt.floor(freq),
            "success": generations_frame["success"].astype(bool).astype("float64"),
            "cost": generations_frame["total_cost_usd"].astype("float64"),
            "latency": generations_frame["total_latency_ms"].astype("float64"),
        }
    )
    by_gen = gen.groupby("period").agg(
        generations=("success", "size"),
        success_rate=("success", "mean"),
        cost_per_generation_usd=("cost", "mean"),
        latency_per_generation_ms=("latency", "mean"),
    )
    reused = stage_frame["patterns_used"].map(_pattern_count) > 0
    calls = pd.DataFrame(
        {"period": _timestamps(stage_frame).dt.floor(freq), "reused": reused.astype("float64")}
    )
    by_call = calls.groupby("period").agg(
        stage_calls=("reused", "size"), pattern_reuse_rate=("reused", "mean")
    )
    out = by_gen.join(by_call, how="outer").sort_index()
    out["generations"] = out["generations"].fillna(0).astype("int64")
    out["stage_calls"] = out["stage_calls"].fillna(0).astype("int64")
    out = out.reset_index()
    if out.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in KPI_COLUMNS})
    return out[KPI_COLUMNS]


def _pattern_count(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    if isinstance(value, float) and np.isnan(value):
        return 0
    return len(value)  # type: ignore[arg-type]


def daily_stage_metrics(frame: pd.DataFrame, day: date | datetime | str) -> pd.DataFrame:
    """Per stage x model numbers of one UTC calendar day (for the daily quality report)."""
    _require(
        frame,
        ["stage", "model_used", "latency_ms", "cost_usd", "quality_score", "success",
         "tokens_input", "tokens_output", "timestamp"],
        "stage metrics",
    )
    start = _utc(pd.Timestamp(day).normalize())
    end = start + pd.Timedelta(days=1)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in DAILY_COLUMNS})
    ts = _timestamps(frame)
    mask = ((ts >= start) & (ts < end)).to_numpy()
    data = frame.loc[mask, ["stage", "model_used", "latency_ms", "cost_usd", "quality_score",
                            "tokens_input", "tokens_output"]].copy()
    if data.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in DAILY_COLUMNS})
    data["success"] = frame.loc[mask, "success"].astype(bool).astype("float64")
    stats = _group_stats(data, ["stage", "model_used"])
    tokens = data.groupby(["stage", "model_used"], sort=True)[["tokens_input", "tokens_output"]]
    stats = stats.merge(tokens.sum().reset_index(), on=["stage", "model_used"])
    stats.insert(0, "day", start.date())
    return stats[DAILY_COLUMNS]
