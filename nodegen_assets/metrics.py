"""Metrics assets: the store's stage calls per UTC day as parquet, rolling per-model summaries, and
generation KPIs over time.

Everything is read from the metrics store (`NodegenResource.metrics_store()`), so these assets can be
re-materialized or backfilled at any time: `stage_metrics_daily` rewrites each day's file from the
store. A partition range runs in ONE run (single-run backfill policy), which is what
`dagster asset materialize --select stage_metrics_daily --partition-range A...B` requires.
"""


import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetSelection,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from nodegen.metrics_summary import daily_stage_metrics
from nodegen.metrics_summary import generation_kpis as kpi_frame
from nodegen_assets.partitions import daily_partitions
from resources import NodegenResource

GROUP = "metrics"
KPI_DAYS = 30  # generation_kpis covers this many days back


def md_table(frame: pd.DataFrame, columns: Sequence[str] | None = None, digits: int = 4) -> str:
    """A markdown table of `frame` (floats rounded), or a line saying it is empty."""
    columns = list(columns or frame.columns)
    if frame.empty:
        return "_no rows_"

    def cell(value: object) -> str:
        if isinstance(value, float):
            if math.isnan(value):
                return ""
            # tiny numbers (costs per call) keep their significant digits
            return f"{value:.{digits}g}" if abs(value) < 1e-3 else f"{value:,.{digits}f}"
        return str(value).replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame[columns].itertuples(index=False)]
    return "\n".join(lines)


def daily_path(home: Path, day: str) -> Path:
    """Where the parquet file of one day's stage calls lives."""
    return home / "metrics" / "stage_metrics" / f"{day}.parquet"


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _day_summary(frame: pd.DataFrame) -> dict[str, float | int]:
    return {
        "rows": len(frame),
        "generations": int(frame["correlation_id"].nunique()),
        "success_rate": round(float(frame["success"].mean()), 4) if len(frame) else 0.0,
        "cost_usd": round(float(frame["cost_usd"].sum()), 6),
    }


@asset(
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name=GROUP,
    kinds={"parquet"},
)
def stage_metrics_daily(context: AssetExecutionContext, nodegen: NodegenResource) -> MaterializeResult:
    """Every stage call of one UTC day, as `<NODEGEN_HOME>/metrics/stage_metrics/<day>.parquet`.

    A partition range (backfill) writes one file per day in one run; its metadata then lists each day.
    """
    store = nodegen.metrics_store()
    home = nodegen.settings().home
    days, frames = [], []
    for day in context.partition_keys:
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        frame = store.stage_metrics_frame(since=start, until=start + timedelta(days=1),
                                          parse_patterns=False)
        path = daily_path(home, day)
        _write_parquet(frame, path)
        days.append({"day": day, **_day_summary(frame), "path": str(path)})
        frames.append(frame)
        context.log.info(f"{day}: {len(frame)} stage calls -> {path}")

    everything = pd.concat(frames, ignore_index=True)
    per_model = pd.concat(
        [daily_stage_metrics(frame, day) for frame, day in zip(frames, context.partition_keys, strict=True)],
        ignore_index=True,
    )
    metadata: dict[str, object] = {
        **_day_summary(everything),
        "stage_models": MetadataValue.md(md_table(per_model)),
    }
    if len(days) == 1:
        metadata["path"] = MetadataValue.path(days[0]["path"])
    else:
        metadata["days"] = MetadataValue.md(md_table(pd.DataFrame(days)))
    return MaterializeResult(metadata=metadata)


@asset(group_name=GROUP, kinds={"pandas"})
def model_performance_summary(context: AssetExecutionContext, nodegen: NodegenResource) -> MaterializeResult:
    """Per stage x model over the rolling 24 h and 7 d windows: samples, success rate, mean quality,
    p50/p95 latency, mean and total cost (computed in the database). The numbers the decision
    engine compares."""
    now = datetime.now(UTC)
    summary = nodegen.metrics_store().stage_summary(now=now)
    metadata: dict[str, object] = {"as_of": MetadataValue.timestamp(now)}
    for window in ("24h", "7d"):
        rows = summary[summary["window"] == window]
        metadata[f"samples_{window}"] = int(rows["samples"].sum())
        metadata[f"cost_usd_{window}"] = round(float(rows["total_cost_usd"].sum()), 6)
    metadata["summary"] = MetadataValue.md(md_table(summary))
    context.log.info(f"{len(summary)} window x stage x model rows")
    return MaterializeResult(value=summary, metadata=metadata)


@asset(group_name=GROUP, kinds={"pandas"})
def generation_kpis(context: AssetExecutionContext, nodegen: NodegenResource) -> MaterializeResult:
    """Per day over the last 30 days: generations, success rate, cost and latency per generation,
    and the share of stage calls that reused a stored pattern."""
    store = nodegen.metrics_store()
    since = (datetime.now(UTC) - timedelta(days=KPI_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    kpis = kpi_frame(store.generations_frame(since=since), store.stage_metrics_frame(since=since))
    metadata: dict[str, object] = {"days": len(kpis), "kpis": MetadataValue.md(md_table(kpis))}
    if not kpis.empty:
        latest = kpis.iloc[-1]
        metadata["latest_day"] = str(pd.Timestamp(latest["period"]).date())
        for column in ("generations", "stage_calls"):
            metadata[column] = int(latest[column])
        for column in ("success_rate", "cost_per_generation_usd", "latency_per_generation_ms",
                       "pattern_reuse_rate"):
            value = float(latest[column])
            metadata[column] = None if math.isnan(value) else round(value, 6)
    context.log.info(f"KPIs for {len(kpis)} day(s)")
    return MaterializeResult(value=kpis, metadata=metadata)


metrics_assets = [stage_metrics_daily, model_performance_summary, generation_kpis]

stage_metrics_daily_job = define_asset_job(
    "stage_metrics_daily_job",
    selection=AssetSelection.assets(stage_metrics_daily),
    description="One day's stage calls to parquet (backfill a range from the asset's page).",
)
metrics_summary_job = define_asset_job(
    "metrics_summary_job",
    selection=AssetSelection.assets(model_performance_summary, generation_kpis),
    description="Rolling per-model summary and per-day generation KPIs.",
)
