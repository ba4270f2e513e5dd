"""The Dagster code location: assets, checks, jobs, sensors, schedules and resources."""

from dagster import Definitions, EnvVar

from nodegen_assets.decisions import model_selection_assets, model_selection_jobs
from nodegen_assets.generation import generation_assets
from nodegen_assets.jobs import generate_node_job
from nodegen_assets.metrics import metrics_assets, metrics_summary_job, stage_metrics_daily_job
from nodegen_assets.patterns import pattern_assets, pattern_maintenance_job
from nodegen_assets.reports import quality_report_job, report_assets, report_checks
from resources import AlertSinkResource, NodegenResource
from schedules.decision_schedules import decision_schedules
from schedules.pattern_schedules import pattern_schedules
from schedules.report_schedules import report_schedules
from sensors.degradation_sensor import quality_degradation_sensor
from sensors.recovery_sensors import abandoned_generation_sensor, generation_run_failure_sensor
from sensors.request_sensor import request_inbox_sensor


def _secret(name: str) -> EnvVar | None:
    """An EnvVar only when it is set, so the embedded default starts without any key."""
    import os

    return EnvVar(name) if os.environ.get(name) else None


defs = Definitions(
    assets=[*generation_assets, *metrics_assets, *model_selection_assets, *report_assets,
            *pattern_assets],
    asset_checks=[*report_checks],
    jobs=[generate_node_job, stage_metrics_daily_job, metrics_summary_job, *model_selection_jobs,
          quality_report_job, pattern_maintenance_job],
    sensors=[
        request_inbox_sensor, quality_degradation_sensor,
        generation_run_failure_sensor, abandoned_generation_sensor,
    ],
    schedules=[*decision_schedules, *report_schedules, *pattern_schedules],
    resources={
        "nodegen": NodegenResource(
            anthropic_api_key=_secret("ANTHROPIC_API_KEY"),
            openai_api_key=_secret("OPENAI_API_KEY"),
        ),
        "alert_sink": AlertSinkResource(webhook_url=_secret("NODEGEN_ALERT_WEBHOOK_URL")),
    },
)
