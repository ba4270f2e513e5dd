"""Schedules of the metrics and model selection assets (UTC).

- migration decisions every 6 hours ("0 */6 * * *");
- yesterday's `stage_metrics_daily` partition shortly after midnight. `daily_partitions` has
  `end_offset=1` (today's partial day is a partition too), so `build_schedule_from_partitioned_job`
  would pick the day that has just begun and write an empty file; this schedule asks for the
  finished day instead;
- the rolling summary and KPIs, then the quality predictor, daily.
"""


from datetime import timedelta

from dagster import RunRequest, ScheduleDefinition, ScheduleEvaluationContext, schedule

from nodegen_assets.decisions import migration_decisions_job, quality_predictor_job
from nodegen_assets.metrics import metrics_summary_job, stage_metrics_daily_job

migration_decisions_schedule = ScheduleDefinition(
    name="migration_decisions_schedule",
    job=migration_decisions_job,
    cron_schedule="0 */6 * * *",
    execution_timezone="UTC",
    description="Decision engine every 6 hours: migrate or roll back stages, by the configured mode.",
)


@schedule(
    job=stage_metrics_daily_job,
    cron_schedule="10 0 * * *",
    execution_timezone="UTC",
    description="Yesterday's stage calls to parquet, once the day is over.",
)
def stage_metrics_daily_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    day = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
    return RunRequest(run_key=day, partition_key=day)


metrics_summary_schedule = ScheduleDefinition(
    name="metrics_summary_schedule",
    job=metrics_summary_job,
    cron_schedule="20 0 * * *",
    execution_timezone="UTC",
    description="Rolling per-model summary and generation KPIs, daily.",
)

quality_predictor_schedule = ScheduleDefinition(
    name="quality_predictor_schedule",
    job=quality_predictor_job,
    cron_schedule="30 1 * * *",
    execution_timezone="UTC",
    description="Retrain the quality predictor on the last 30 days, daily.",
)

decision_schedules = [
    migration_decisions_schedule,
    stage_metrics_daily_schedule,
    metrics_summary_schedule,
    quality_predictor_schedule,
]
