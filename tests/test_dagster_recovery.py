"""Crash recovery in the Dagster layer, on a real temporary instance and metrics store: a failed
generate_node run closes the generation it left open, and the periodic sweep closes generations
whose run died without a word and removes dead writers' staging folders."""

from __future__ import annotations

import os
import time

from dagster import (
    DagsterEventType,
    DagsterInstance,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
)

from nodegen.inbox import submit_request
from nodegen.pipeline import new_generation
from nodegen.records import EventType, GenerationStatus
from nodegen.request import load_request_file
from nodegen.settings import Settings
from nodegen_assets.definitions import defs
from resources import NodegenResource
from sensors.recovery_sensors import abandoned_generation_sensor, generation_run_failure_sensor

from .conftest import EXAMPLES


def _open_generation(resource: NodegenResource, example: str) -> tuple[str, str]:
    """What a run worker does first: archive the request and open its generation."""
    request = load_request_file(EXAMPLES / example)
    key, _ = submit_request(resource.settings().home, request)
    state = new_generation(resource.services(), request)
    return key, state.correlation_id


def test_a_failed_run_closes_the_generation_it_left_open(
    instance: DagsterInstance, nodegen_env: Settings
) -> None:
    resource = NodegenResource(home=str(nodegen_env.home), use_patterns=False)
    key, correlation_id = _open_generation(resource, "exchange_rates.json")
    _, bystander = _open_generation(resource, "weather_fetch.json")  # another request, still running

    job = defs.resolve_job_def("generate_node")
    run = instance.create_run_for_job(job_def=job, tags={"dagster/partition": key})
    instance.report_run_failed(run, message="run worker lost: exit code -9")
    failure = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)[0]
    context = build_run_status_sensor_context(
        sensor_name=generation_run_failure_sensor.name,
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run.run_id),
        resources={"nodegen": resource},
    ).for_run_failure()
    generation_run_failure_sensor(context)

    store = resource.metrics_store()
    closed = store.generation(correlation_id)
    assert closed is not None and closed.status == GenerationStatus.FAILED
    assert run.run_id in (closed.error or "") and "exit code -9" in (closed.error or "")
    assert [e.event_type for e in store.events_for(correlation_id)][-1] == EventType.NODE_GENERATION_FAILED
    assert store.generation(bystander).status == GenerationStatus.RUNNING


def test_the_sweep_closes_idle_generations_and_removes_dead_staging(
    instance: DagsterInstance, nodegen_env: Settings
) -> None:
    resource = NodegenResource(home=str(nodegen_env.home), use_patterns=False,
                               abandoned_after_minutes=0.001)
    _, correlation_id = _open_generation(resource, "exchange_rates.json")
    staging = nodegen_env.output_dir / "node_rates_effect" / ".v1_0_0.abc123.partial"
    (staging / "models").mkdir(parents=True)
    (staging / "node.py").write_text("x = 1\n")
    hour_ago = time.time() - 3600
    os.utime(staging, (hour_ago, hour_ago))
    fresh = nodegen_env.output_dir / "node_rates_effect" / ".v1_1_0.def456.partial"
    fresh.mkdir()  # a write in progress right now
    time.sleep(0.1)

    result = abandoned_generation_sensor(
        build_sensor_context(instance=instance, resources={"nodegen": resource})
    )
    assert isinstance(result, SkipReason)
    assert "closed 1 abandoned generation(s), removed 1 staging folder(s)" in (result.skip_message or "")
    assert resource.metrics_store().generation(correlation_id).status == GenerationStatus.FAILED
    assert not staging.exists() and fresh.exists()

