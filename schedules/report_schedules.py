"""The daily quality report schedule (UTC).

Yesterday's `quality_report` partition shortly after midnight, after the daily metrics summary:
`daily_partitions` has `end_offset=1`, so `build_schedule_from_partitioned_job` would report on
the day that has just begun; this schedule asks for the finished day instead. Older days are
built by a backfill of `quality_report_job` from the asset's page.
"""

from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from nodegen_assets.reports import quality_report_job


@schedule(
    job=quality_report_job,
    cron_schedule="40 0 * * *",
    execution_timezone="UTC",
    description="Yesterday's quality report (markdown + HTML with charts), once the day is over.",
)
def quality_report_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    day = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
    return RunRequest(run_key=day, partition_key=day)


report_schedules = [quality_report_schedule]
