"""Reports group: the daily quality report, and per-stage degradation checks.

`quality_report` is partitioned by UTC day, so any past day can be (re)built by a backfill: it
reads the metrics store for the window ending with the partition day and writes a self-contained
HTML file beside the markdown metadata (both with the charts inline as base64 PNGs, which the
Dagster UI renders).

The degradation checks hang on `model_performance_summary` (they run whenever it is
materialized) but read the store themselves, so they judge the same 24 h / 7 d windows as the
degradation sensor, whatever the summary asset holds.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
    multi_asset_check,
)
from pydantic import Field

from nodegen.reports import QualityAlert, build_quality_report, detect_degradation
from nodegen.reports.degradation import BASELINE, RECENT
from nodegen.stages import STAGE_ORDER
from nodegen_assets.partitions import daily_partitions
from resources import NodegenResource

GROUP = "reports"
PERFORMANCE_SUMMARY = AssetKey("model_performance_summary")
MIN_SAMPLES = 20  # calls in each window before a drop counts
DROP_THRESHOLD = 0.05  # mean quality drop (absolute) that fails a stage's check


class QualityReportConfig(Config):
    days: int = Field(default=30, ge=1, description="UTC days covered, ending with the partition day")


def report_path(home: Path, day: date) -> Path:
    """Where the HTML report of one partition day is written."""
    return home / "reports" / f"quality_{day.isoformat()}.html"


@asset(partitions_def=daily_partitions, group_name=GROUP, kinds={"html"})
def quality_report(
    context: AssetExecutionContext, config: QualityReportConfig, nodegen: NodegenResource
) -> MaterializeResult:
    """Success rate and cost trends, model split per stage, migrations and rollbacks, quality and
    latency per stage and pattern reuse over the days ending with the partition day."""
    day = date.fromisoformat(context.partition_key)
    start = datetime.combine(day - timedelta(days=config.days - 1), time(0), tzinfo=UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    store = nodegen.metrics_store()
    report = build_quality_report(
        store.stage_metrics_frame(since=start, until=end),
        store.generations_frame(since=start, until=end),
        store.decisions_frame(since=start, until=end),
        day=day,
        days=config.days,
    )
    path = report.write_html(report_path(nodegen.settings().home, day))
    context.log.info(
        f"quality report {day}: {report.total_generations} generations, "
        f"{len(report.charts)} charts -> {path}"
    )
    return MaterializeResult(
        metadata={
            **report.summary(),
            "days": config.days,
            "stage_calls": report.stage_calls,
            "charts": len(report.charts),
            "chart_bytes": sum(c.size_bytes for c in report.charts),
            "html_report": MetadataValue.path(str(path)),
            "report": MetadataValue.md(report.to_markdown()),
        }
    )


quality_report_job = define_asset_job(
    "quality_report_job",
    selection=AssetSelection.assets(quality_report),
    description="The quality report of one UTC day (backfill a range from the asset's page).",
)


def check_name(stage: str) -> str:
    return f"quality_holds_{stage}"


def _window_stats(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Per stage: mean quality and calls in the last 24 h and the 7 days before (the windows of
    `detect_degradation`), for the metadata of stages that pass as well as those that fail."""
    ts, now_ts = frame["timestamp"], pd.Timestamp(now)
    windows = {
        "recent": (ts > now_ts - RECENT) & (ts <= now_ts),
        "baseline": (ts > now_ts - RECENT - BASELINE) & (ts <= now_ts - RECENT),
    }
    parts = [
        frame[mask].groupby("stage")["quality_score"].agg(["mean", "size"]).add_prefix(f"{name}_")
        for name, mask in windows.items()
    ]
    return pd.concat(parts, axis=1)


def _stage_result(stage: str, stats: pd.DataFrame, alert: QualityAlert | None) -> AssetCheckResult:
    row = stats.loc[stage] if stage in stats.index else None

    def number(column: str) -> float | None:
        value = None if row is None else row.get(column)
        return None if value is None or pd.isna(value) else round(float(value), 4)

    recent, baseline = number("recent_mean"), number("baseline_mean")
    samples = (int(number("recent_size") or 0), int(number("baseline_size") or 0))
    metadata: dict[str, object] = {
        "stage": stage,
        "recent_mean_quality": recent,
        "baseline_mean_quality": baseline,
        "drop": None if recent is None or baseline is None else round(baseline - recent, 4),
        "recent_samples": samples[0],
        "baseline_samples": samples[1],
        "threshold": DROP_THRESHOLD,
        "min_samples": MIN_SAMPLES,
    }
    if alert is not None:
        migration = alert.recent_migration
        metadata.update(
            current_model=alert.current_model,
            recent_migration=(
                f"{migration.decision_id}: {migration.previous_model} -> {migration.new_model} "
                f"at {migration.timestamp:%Y-%m-%d %H:%M} UTC"
                if migration
                else "none"
            ),
            recommended_action=alert.recommended_action,
        )
        description = alert.message()
    elif min(samples) < MIN_SAMPLES:
        description = f"too few calls to judge ({samples[0]} in 24 h, {samples[1]} in the 7 d before)"
    else:
        description = f"mean quality within {DROP_THRESHOLD} of the 7-day baseline"
    return AssetCheckResult(
        check_name=check_name(stage),
        passed=alert is None,
        severity=AssetCheckSeverity.WARN,
        description=description,
        metadata=metadata,
    )


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            check_name(stage.value),
            asset=PERFORMANCE_SUMMARY,
            description=(
                f"{stage.value}: last-24 h mean quality at most {DROP_THRESHOLD} below the 7 days "
                f"before (with at least {MIN_SAMPLES} calls in each)"
            ),
        )
        for stage in STAGE_ORDER
    ],
)
def quality_degradation_checks(
    context: AssetCheckExecutionContext, nodegen: NodegenResource
) -> Iterator[AssetCheckResult]:
    """One check per stage; a failed one names the drop, the migration that may explain it and
    what to do about it."""
    now = datetime.now(UTC)
    store = nodegen.metrics_store()
    since = now - RECENT - BASELINE
    frame = store.stage_metrics_frame(since=since, parse_patterns=False)
    alerts = detect_degradation(
        frame,
        store.decisions_frame(since=since),
        now,
        min_samples=MIN_SAMPLES,
        threshold=DROP_THRESHOLD,
    )
    by_stage = {alert.stage: alert for alert in alerts}
    stats = _window_stats(frame, now)
    for stage in STAGE_ORDER:
        if stage.value in by_stage:
            context.log.warning(by_stage[stage.value].message())
        yield _stage_result(stage.value, stats, by_stage.get(stage.value))


report_assets = [quality_report]
report_checks = [quality_degradation_checks]
