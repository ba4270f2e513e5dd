"""The pattern assets, maintenance job and weekly schedule on a real temporary Dagster instance,
over a real LanceDB library and SQLite metrics store in the test's NODEGEN_HOME."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from dagster import AssetKey, DagsterInstance, build_schedule_context, materialize

from nodegen.artifacts import NodeKind
from nodegen.patterns import PatternRecord
from nodegen.records import GenerationMetrics, GenerationRecord, GenerationStatus
from nodegen.settings import Settings
from nodegen.stages import Stage
from nodegen_assets.definitions import defs
from nodegen_assets.patterns import pattern_assets, pattern_embeddings
from resources import NodegenResource
from schedules.pattern_schedules import pattern_maintenance_schedule


def _metadata(instance: DagsterInstance, asset: str) -> dict[str, object]:
    event = instance.get_latest_materialization_event(AssetKey(asset))
    assert event is not None and event.asset_materialization is not None
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_pattern_embeddings_describes_the_seeded_table(instance: DagsterInstance, resource: NodegenResource) -> None:
    result = materialize(pattern_assets, resources={"nodegen": resource}, instance=instance)
    assert result.success

    meta = _metadata(instance, "pattern_embeddings")
    assert meta["rows"] == 31 and meta["seed_patterns"] == 31
    assert str(meta["embedder_id"]).startswith("all-MiniLM-L6-v2@")
    assert meta["reembedded"] == 0 and meta["pruned"] == 0
    assert meta["vector_index"] is False
    table = str(meta["by_kind_domain"])
    assert "| node_type | domain | patterns |" in table and "| reducer | finance | 1 |" in table


def test_a_changed_embedder_triggers_a_full_reembed(instance: DagsterInstance, resource: NodegenResource) -> None:
    store = resource.pattern_store()
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((2, 384)).astype(np.float32)
    store.add_rows_unchecked(
        vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
        [
            {"id": f"old-{i}", "node_type": "compute", "domain": "text", "node_name": f"old_{i}",
             "quality_score": 0.99, "prompt": prompt, "embedder_id": "previous-model@0"}
            for i, prompt in enumerate(["Reverse the words of a sentence.", "Count the vowels in a text."])
        ],
    )
    assert materialize([pattern_embeddings], resources={"nodegen": resource}, instance=instance).success

    meta = _metadata(instance, "pattern_embeddings")
    assert meta["reembedded"] == 2 and meta["rows"] == 33
    assert store.stats()["embedder_ids"] == [store.embedder.model_id]
    hit = store.search_vector(store.embedder.embed(["Count the vowels in a text."])[0], top_k=1)[0]
    assert hit["id"] == "old-1" and hit["similarity"] == pytest.approx(1.0, abs=1e-4)


def _generation(resource: NodegenResource, cid: str, quality: float, success: bool, patterns: list[str]) -> None:
    store = resource.metrics_store()
    store.start_generation(GenerationRecord(
        correlation_id=cid, request_id=f"req-{cid}", node_name="n", node_kind="compute", domain="data",
        status=GenerationStatus.RUNNING,
    ))
    store.record_stage_call(GenerationMetrics(
        correlation_id=cid, stage=Stage.INTELLIGENCE, attempt=1, model_used="minilm-lancedb",
        provider="pattern_store", quality_score=0.8, success=True, patterns_used=patterns,
    ), [])
    store.finish_generation(
        cid, status=GenerationStatus.SUCCEEDED if success else GenerationStatus.FAILED,
        quality_score=quality, success=success, total_cost_usd=0.0, total_latency_ms=1.0,
    )


def test_library_stats_compare_generations_with_and_without_patterns(
    instance: DagsterInstance, resource: NodegenResource
) -> None:
    _generation(resource, "g1", 1.0, True, ["seed-node_stats_summary_compute"])
    _generation(resource, "g2", 0.9, True, ["seed-node_word_frequency_compute", "x"])
    _generation(resource, "g3", 0.6, False, [])
    _generation(resource, "g4", 1.0, True, [])

    assert materialize(pattern_assets, resources={"nodegen": resource}, instance=instance).success
    meta = _metadata(instance, "pattern_library_stats")
    assert meta["size"] == 31
    assert meta["by_kind"] == {"compute": 11, "effect": 8, "orchestrator": 6, "reducer": 6}
    assert meta["generations_with_patterns"] == 2
    assert meta["generation_reuse_rate"] == 0.5
    assert meta["success_rate_with_patterns"] == 1.0 and meta["mean_quality_with_patterns"] == 0.95
    assert meta["success_rate_without_patterns"] == 0.5 and meta["mean_quality_without_patterns"] == 0.8
    assert "| with patterns | 2 |" in str(meta["with_vs_without"])


def test_weekly_schedule_runs_the_maintenance_job(instance: DagsterInstance, nodegen_env: Settings) -> None:
    assert pattern_maintenance_schedule.cron_schedule == "0 3 * * 0"
    context = build_schedule_context(instance=instance, scheduled_execution_time=datetime(2025, 1, 5, 3, tzinfo=UTC))
    requests = list(pattern_maintenance_schedule.evaluate_tick(context).run_requests or [])
    assert len(requests) == 1

    # The code location's default resource reads NODEGEN_HOME, which nodegen_env points at tmp.
    store = NodegenResource(home=str(nodegen_env.home)).pattern_store()
    old = datetime.now(UTC) - timedelta(days=100)
    for pid, prompt in [("stale", "Reverse the words of a sentence."), ("fresh", "Count the vowels in a text.")]:
        store.add(PatternRecord(
            correlation_id=pid, node_type=NodeKind.COMPUTE, domain="text", node_name=pid, prompt=prompt,
            quality_score=0.99, timestamp=old if pid == "stale" else None,
        ))
    job = defs.resolve_job_def("pattern_maintenance")
    result = job.execute_in_process(instance=instance, run_config=requests[0].run_config or None)
    assert result.success

    meta = _metadata(instance, "pattern_embeddings")
    assert meta["pruned"] == 1 and meta["rows"] == 32
    assert store.existing_ids(["stale", "fresh"]) == {"fresh"}
    assert _metadata(instance, "pattern_library_stats")["size"] == 32
