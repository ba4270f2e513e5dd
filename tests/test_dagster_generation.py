"""The Dagster layer on a real (temporary, SQLite) Dagster instance: the inbox sensor, the eight
partitioned stage assets, their metadata and gate checks, and re-running one stage."""

from __future__ import annotations

import json
import time
from pathlib import Path

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    SensorResult,
    build_sensor_context,
    materialize,
)

from nodegen.settings import Settings
from nodegen_assets.definitions import defs
from nodegen_assets.generation import generation_assets, validation_report
from nodegen_assets.partitions import requests_partitions
from resources import NodegenResource
from sensors.request_sensor import request_inbox_sensor

from .conftest import EXAMPLES, drop_request_file

STAGE_ASSETS = [
    "prd_analysis", "intelligence", "contract", "business_logic", "generated_code",
    "validation_report", "refined_code", "written_node",
]


def _drop(settings: Settings, *files: Path) -> None:
    for f in files:  # dated in the past: the sensor waits for files to settle; these are complete
        drop_request_file(settings.inbox, f.name, f.read_bytes())


def _tick(instance: DagsterInstance, resource: NodegenResource, cursor: str | None = None):
    context = build_sensor_context(instance=instance, cursor=cursor, resources={"nodegen": resource})
    return request_inbox_sensor(context)


def _latest(instance: DagsterInstance, asset: str, partition: str):
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey(asset), asset_partitions=[partition]), limit=1
    ).records
    return records[0] if records else None


def test_definitions_load() -> None:
    repo = defs.get_repository_def()
    assert {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()} >= set(STAGE_ASSETS)
    assert repo.get_sensor_def("request_inbox_sensor")


def test_sensor_adds_partitions_launches_runs_and_reports_bad_files(
    instance: DagsterInstance, resource: NodegenResource, nodegen_env: Settings
) -> None:
    _drop(nodegen_env, EXAMPLES / "exchange_rates.json", EXAMPLES / "order_stats.yaml")
    (nodegen_env.inbox / "hostile.json").write_text('{"prompt": "x" , "__class__": 1}')
    past = time.time() - 5
    import os

    os.utime(nodegen_env.inbox / "hostile.json", (past, past))

    result = _tick(instance, resource)

    assert isinstance(result, SensorResult)
    keys = result.dynamic_partitions_requests[0].partition_keys
    assert len(keys) == 2
    assert all(not set(k) & {",", "/", " "} for k in keys)
    assert sorted(r.partition_key for r in result.run_requests) == sorted(keys)
    assert json.loads(result.cursor) == {"accepted": 2, "rejected": 1}
    # The bad file is moved aside with a single error report; the good ones ran anyway.
    report = json.loads((nodegen_env.inbox / "rejected" / "hostile.json.error.json").read_text())
    assert "hostile.json" in json.dumps(report)
    assert not (nodegen_env.inbox / "hostile.json").exists()

    # The same content dropped again is the same request: no new partition, no new run.
    instance.add_dynamic_partitions(requests_partitions.name, list(keys))
    _drop(nodegen_env, EXAMPLES / "exchange_rates.json")
    again = _tick(instance, resource, cursor=result.cursor)
    if isinstance(again, SensorResult):
        assert not again.dynamic_partitions_requests
        assert not again.run_requests


def test_stage_assets_materialize_a_request_with_metadata_and_checks(
    instance: DagsterInstance, resource: NodegenResource, nodegen_env: Settings
) -> None:
    _drop(nodegen_env, EXAMPLES / "order_lifecycle.json")
    tick = _tick(instance, resource)
    (key,) = tick.dynamic_partitions_requests[0].partition_keys
    instance.add_dynamic_partitions(requests_partitions.name, [key])

    result = materialize(
        generation_assets, partition_key=key, instance=instance, resources={"nodegen": resource}
    )

    assert result.success
    for name in STAGE_ASSETS:
        record = _latest(instance, name, key)
        assert record is not None, name
        metadata = record.asset_materialization.metadata
        for field in ("model", "tokens_input", "tokens_output", "latency_ms", "cost_usd",
                      "quality_score", "preview"):
            assert field in metadata, (name, field)
    contract_preview = _latest(instance, "contract", key).asset_materialization.metadata["preview"]
    assert "node_order_lifecycle_reducer" in contract_preview.value
    checks = [e for e in result.get_asset_check_evaluations()]
    assert checks and all(c.passed for c in checks if c.severity.value == "ERROR")
    written = _latest(instance, "written_node", key).asset_materialization.metadata["node_path"]
    assert (Path(written.value) / "node.py").is_file()
    assert Path(written.value).is_relative_to(nodegen_env.output_dir)

    # Re-run one stage for the partition: it loads its upstream state and its downstream go stale.
    before = _latest(instance, "refined_code", key).timestamp
    rerun = materialize(
        generation_assets, partition_key=key, instance=instance, resources={"nodegen": resource},
        selection=[validation_report],
    )
    assert rerun.success
    assert _latest(instance, "validation_report", key).timestamp > before
    assert _latest(instance, "refined_code", key).timestamp == before


def test_failing_request_stops_before_writing_and_is_recorded(
    instance: DagsterInstance, resource: NodegenResource, nodegen_env: Settings
) -> None:
    (nodegen_env.inbox / "podcast.json").write_text(json.dumps({
        "prompt": "Transcribe the audio of a podcast and split the speech into chapters.",
        "name": "podcast_chapters", "node_type": "compute",
    }))
    past = time.time() - 5
    import os

    os.utime(nodegen_env.inbox / "podcast.json", (past, past))
    tick = _tick(instance, resource)
    (key,) = tick.dynamic_partitions_requests[0].partition_keys
    instance.add_dynamic_partitions(requests_partitions.name, [key])

    result = materialize(
        generation_assets, partition_key=key, instance=instance, resources={"nodegen": resource},
        raise_on_error=False,
    )

    assert not result.success
    assert _latest(instance, "refined_code", key) is not None
    assert _latest(instance, "written_node", key) is None
    store = resource.services().store
    generations = store.generations_frame()
    assert list(generations.status) == ["failed"]
    assert "blocking gates failed" in generations.error.iloc[0]
    assert not any(nodegen_env.output_dir.glob("node_podcast_chapters_*"))
