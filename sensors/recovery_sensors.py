"""Recovery after crashes: generations a dead run never closed, and staging folders it left.

A run that fails inside a stage closes its generation itself (`nodegen.pipeline.run_stage`). Two
cases do not: a run that fails outside the domain (an unexpected exception, a lost step, a
terminated run), which `generation_run_failure_sensor` closes as soon as Dagster reports it, and a
run worker killed outright (SIGKILL, OOM, a lost machine), which Dagster's default launcher never
reports: `abandoned_generation_sensor` closes any generation idle for longer than the resource's
`abandoned_after_minutes`, and removes node staging folders old enough to be a dead writer's.
"""

from datetime import UTC, datetime, timedelta

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from nodegen.writer import remove_stale_partials
from nodegen_assets.jobs import generate_node_job
from resources import NodegenResource

PARTITION_TAG = "dagster/partition"


@run_failure_sensor(
    monitored_jobs=[generate_node_job],
    default_status=DefaultSensorStatus.RUNNING,
    description="Closes the generation of a failed generate_node run that the run left open.",
)
def generation_run_failure_sensor(context: RunFailureSensorContext, nodegen: NodegenResource) -> None:
    run = context.dagster_run
    request_id = run.tags.get(PARTITION_TAG)
    if not request_id:
        return
    stats = context.instance.get_run_stats(run.run_id)
    started = stats.start_time or stats.launch_time
    message = (context.failure_event.message or "no message").splitlines()[0][:300]
    closed = nodegen.metrics_store().fail_abandoned_generations(
        timedelta(0),
        request_id=request_id,
        created_after=None if started is None else datetime.fromtimestamp(started, tz=UTC),
        reason=f"Dagster run {run.run_id} failed: {message}",
    )
    if closed:
        context.log.warning(f"closed {len(closed)} generation(s) of run {run.run_id}: {closed}")


@sensor(
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.RUNNING,
    description="Closes generations whose run died without a word, and clears dead writers' staging folders.",
)
def abandoned_generation_sensor(context: SensorEvaluationContext, nodegen: NodegenResource) -> SkipReason:
    closed = nodegen.metrics_store().fail_abandoned_generations(
        timedelta(minutes=nodegen.abandoned_after_minutes),
        reason=f"no stage call for {nodegen.abandoned_after_minutes:g} minutes; its run process died",
    )
    removed = remove_stale_partials(nodegen.settings().output_dir)
    for correlation_id in closed:
        context.log.warning(f"closed abandoned generation {correlation_id}")
    for path in removed:
        context.log.warning(f"removed a dead writer's staging folder {path}")
    return SkipReason(
        f"closed {len(closed)} abandoned generation(s), removed {len(removed)} staging folder(s)"
    )

