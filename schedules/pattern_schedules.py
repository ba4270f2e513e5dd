"""Weekly pattern library maintenance (UTC): Sunday 03:00, when no one is generating, prune patterns
not retrieved for 90 days (seeds are kept), rebuild the index and refresh the library stats."""

from dagster import ScheduleDefinition

from nodegen_assets.patterns import pattern_maintenance_job

pattern_maintenance_schedule = ScheduleDefinition(
    name="pattern_maintenance_schedule",
    job=pattern_maintenance_job,
    cron_schedule="0 3 * * 0",
    execution_timezone="UTC",
    description="Prune never-retrieved patterns (90 days) and re-index the pattern library, weekly.",
)

pattern_schedules = [pattern_maintenance_schedule]
