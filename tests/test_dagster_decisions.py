"""The model selection layer on a real temporary Dagster instance over a seeded SQLite metrics
store: migration in each mode (automatic, dry_run, approval), rollback, manual restore, the quality
predictor, the schedules and the code location."""

from __future__ import annotations

import pickle
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    build_schedule_context,
    materialize,
)

from nodegen.decision import QualityPredictor
from nodegen.records import GenerationMetrics
from nodegen.settings import Settings
from nodegen.store import MetricsStore
from nodegen_assets.decisions import (
    approve_decision_job,
    migration_decisions,
    predictor_path,
    quality_predictor,
    restore_routing_job,
    routing_config,
)
from nodegen_assets.definitions import defs
from resources import NodegenResource
from schedules.decision_schedules import (
    metrics_summary_schedule,
    migration_decisions_schedule,
    quality_predictor_schedule,
    stage_metrics_daily_schedule,
)

from .conftest import PROJECT_ROOT

CUR, CAND = "claude-sonnet-4-5", "local-rules"
QUALITIES = (0.91, 0.93, 0.95)  # mean 0.93 for both models: non-inferior with a tight bound


def write_config(config_dir: Path, mode: str) -> None:
    config_dir.mkdir(exist_ok=True)
    shutil.copy(PROJECT_ROOT / "config" / "models.yaml", config_dir / "models.yaml")
    selection = {
        "mode": mode,
        "stages": {
            "contract": {
                "quality_threshold": 0.8,
                "success_threshold": 0.9,
                "candidates": [{"model": CUR, "priority": 1}, {"model": CAND, "priority": 2}],
            }
        },
    }
    (config_dir / "model_selection.yaml").write_text(yaml.safe_dump(selection))


def seed(store: MetricsStore, *, current: int = 120, candidate: int = 60, failures: int = 0) -> None:
    """`current` calls of CUR (the first `failures` failed) and `candidate` canary calls of CAND
    over the last 100 hours, contract stage, compute nodes."""
    now = datetime.now(UTC)
    rows = []
    for model, n, cost in ((CUR, current, 0.02), (CAND, candidate, 0.0)):
        for i in range(n):
            rows.append(GenerationMetrics(
                correlation_id=f"{model}-{i}", stage="contract", model_used=model, provider="test",
                tokens_input=900, tokens_output=400, latency_ms=800.0 + i, cost_usd=cost,
                quality_score=QUALITIES[i % 3], success=not (model == CUR and i < failures),
                node_kind="compute", timestamp=now - timedelta(hours=100 * (i + 1) / n),
            ))
    assert store.record_stage_calls(rows) == len(rows)


def _resource(nodegen_env: Settings, tmp_path: Path, mode: str) -> NodegenResource:
    write_config(tmp_path / "config", mode)
    return NodegenResource(home=str(nodegen_env.home), config_dir=str(tmp_path / "config"))


@pytest.fixture
def automatic(nodegen_env: Settings, tmp_path: Path) -> NodegenResource:
    return _resource(nodegen_env, tmp_path, "automatic")


def _decide(instance: DagsterInstance, resource: NodegenResource, run_config: dict | None = None):
    result = materialize([migration_decisions, routing_config], instance=instance,
                         resources={"nodegen": resource}, run_config=run_config)
    assert result.success
    return _latest(instance, "migration_decisions")


def _latest(instance: DagsterInstance, asset: str) -> dict:
    records = instance.fetch_materializations(AssetRecordsFilter(asset_key=AssetKey(asset)), limit=1).records
    return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}


def _events(store: MetricsStore, event_type: str):
    return store.events_frame(event_type=event_type)


def test_automatic_migration_then_rollback(instance: DagsterInstance, automatic: NodegenResource) -> None:
    store = automatic.metrics_store()
    seed(store)

    metadata = _decide(instance, automatic)

    [decision] = store.decisions()
    assert (decision.kind, decision.previous_model, decision.new_model, decision.status) == (
        "migrate", CUR, CAND, "applied")
    assert decision.evidence["samples_current"] == 120 and decision.evidence["samples_candidate"] == 60
    routing = store.current_routing()
    assert routing.version == 2 and routing.routing["contract"] == CAND
    assert routing.decision_id == decision.decision_id
    assert store.routing_history()[0].routing["contract"] == CUR  # v1: the config default
    [event] = _events(store, "MODEL_MIGRATED").itertuples()
    assert event.correlation_id == decision.decision_id
    assert event.payload["new_model"] == CAND and event.payload["routing_version"] == 2
    assert metadata["mode"] == "automatic" and metadata["decisions"] == 1
    assert (metadata["routing_version_before"], metadata["routing_version_after"]) == (0, 2)
    assert decision.decision_id in metadata["decision_table"]
    assert '"lower_bound"' in metadata["decision_table"]  # the evidence, in full
    shown = _latest(instance, "routing_config")
    assert shown["version"] == 2 and f"| contract | {CAND} |" in shown["routing"]

    # The migrated model degrades: 25 calls after the migration, quality 0.80 against 0.93.
    after = decision.timestamp
    store.record_stage_calls([
        GenerationMetrics(correlation_id=f"bad-{i}", stage="contract", model_used=CAND, provider="test",
                          quality_score=0.80, success=True, node_kind="compute",
                          timestamp=after + timedelta(milliseconds=i + 1))
        for i in range(25)
    ])
    metadata = _decide(instance, automatic)

    rollback = store.decisions(kind="rollback")[0]
    assert (rollback.previous_model, rollback.new_model, rollback.status) == (CAND, CUR, "applied")
    assert "dropped" in rollback.reason
    assert store.current_routing().routing["contract"] == CUR
    assert store.current_routing().version == 3
    assert store.decisions(kind="migrate")[0].status == "rolled_back"
    assert len(_events(store, "MODEL_ROLLED_BACK")) == 1
    assert metadata["routing_version_after"] == 3


def test_dry_run_records_but_leaves_routing(
    instance: DagsterInstance, nodegen_env: Settings, tmp_path: Path
) -> None:
    resource = _resource(nodegen_env, tmp_path, "dry_run")
    store = resource.metrics_store()
    seed(store)

    metadata = _decide(instance, resource)

    [decision] = store.decisions()
    assert decision.status == "recommended" and decision.new_model == CAND
    assert store.current_routing() is None  # nothing put in force, not even the baseline
    assert store.events_frame().empty
    assert metadata["mode"] == "dry_run" and metadata["routing_version_after"] == 0
    assert _latest(instance, "routing_config")["version"] == 0
    # A second evaluation within 24 h does not repeat the recommendation.
    assert _decide(instance, resource)["decisions"] == 0
    assert len(store.decisions()) == 1


def test_run_config_overrides_the_mode(instance: DagsterInstance, automatic: NodegenResource) -> None:
    store = automatic.metrics_store()
    seed(store)
    metadata = _decide(instance, automatic,
                       {"ops": {"migration_decisions": {"config": {"mode": "dry_run"}}}})
    assert metadata["mode"] == "dry_run"
    assert store.decisions()[0].status == "recommended"
    assert store.current_routing() is None


def _approve(instance: DagsterInstance, resource: NodegenResource, decision_id: str, approve: bool):
    return approve_decision_job.execute_in_process(
        run_config={"ops": {"approve_decision": {"config": {"decision_id": decision_id, "approve": approve}}}},
        instance=instance, resources={"nodegen": resource}, raise_on_error=False,
    )


def test_approval_flow(instance: DagsterInstance, nodegen_env: Settings, tmp_path: Path) -> None:
    resource = _resource(nodegen_env, tmp_path, "approval")
    store = resource.metrics_store()
    seed(store)

    assert _decide(instance, resource)["pending"] == 1
    [first] = store.decisions(status="pending")
    assert store.current_routing() is None

    unknown = _approve(instance, resource, "nope", True)
    assert not unknown.success
    assert first.decision_id in str(unknown.all_events)  # the failure names what is pending

    assert _approve(instance, resource, first.decision_id, False).success
    assert store.decisions()[0].status == "rejected"
    assert store.current_routing() is None and store.events_frame().empty

    _decide(instance, resource)  # proposed again: the rejection was of that proposal only
    [second] = store.decisions(status="pending")
    result = _approve(instance, resource, second.decision_id, True)

    assert result.success and result.output_for_node("approve_decision") == "approved"
    assert {d.decision_id: d.status for d in store.decisions()} == {
        first.decision_id: "rejected", second.decision_id: "approved"}
    routing = store.current_routing()
    assert routing.routing["contract"] == CAND and routing.decision_id == second.decision_id
    assert list(_events(store, "MODEL_MIGRATED")["correlation_id"]) == [second.decision_id]
    assert _latest(instance, "routing_config")["version"] == routing.version
    # Approving twice is refused: it is no longer pending.
    assert not _approve(instance, resource, second.decision_id, True).success


def _restore(instance: DagsterInstance, resource: NodegenResource, version: int, reason: str):
    return restore_routing_job.execute_in_process(
        run_config={"ops": {"restore_routing_version": {"config": {"version": version, "reason": reason}}}},
        instance=instance, resources={"nodegen": resource}, raise_on_error=False,
    )


def test_restore_an_older_routing_version(instance: DagsterInstance, automatic: NodegenResource) -> None:
    store = automatic.metrics_store()
    seed(store)
    _decide(instance, automatic)
    assert store.current_routing().version == 2

    result = _restore(instance, automatic, 1, "customers report worse contracts")

    assert result.success and result.output_for_node("restore_routing_version") == 3
    routing = store.current_routing()
    assert routing.version == 3 and routing.routing["contract"] == CUR
    assert routing.reason == "restore v1: customers report worse contracts"
    manual = store.decisions(kind="rollback")[0]
    assert (manual.previous_model, manual.new_model, manual.status) == (CAND, CUR, "applied")
    assert manual.evidence == {"restored_version": 1, "routing_version": 3}
    assert len(_events(store, "MODEL_ROLLED_BACK")) == 1
    assert _latest(instance, "routing_config")["version"] == 3

    # The engine does not migrate straight back to the model a person moved away from.
    metadata = _decide(instance, automatic)
    assert metadata["decisions"] == 0 and "cooling down" in metadata["evaluation"]
    assert store.current_routing().version == 3

    missing = _restore(instance, automatic, 99, "typo")
    assert not missing.success and "restorable: [1, 2, 3]" in str(missing.all_events)


def test_quality_predictor_needs_data_then_trains(
    instance: DagsterInstance, automatic: NodegenResource, nodegen_env: Settings
) -> None:
    path = predictor_path(nodegen_env.home)
    materialize([quality_predictor], instance=instance, resources={"nodegen": automatic})
    metadata = _latest(instance, "quality_predictor")
    assert metadata["status"] == "not enough data" and "no model written" in metadata["detail"]
    assert not path.exists()

    seed(automatic.metrics_store(), failures=12)
    materialize([quality_predictor], instance=instance, resources={"nodegen": automatic})

    metadata = _latest(instance, "quality_predictor")
    assert metadata["status"] == "trained" and metadata["rows"] == 180
    assert 0.0 <= metadata["mean_auc"] <= 1.0 and 0.0 <= metadata["mean_brier"] <= 0.25
    assert "| contract |" in metadata["held_out"]
    assert metadata["path"] == str(path)
    with path.open("rb") as fh:
        predictor = pickle.load(fh)
    assert isinstance(predictor, QualityPredictor)
    assert predictor.predict("contract", CUR, "compute").success_probability < 1.0
    assert _decide(instance, automatic)["predictor"] == "used"


def test_schedules_request_the_right_runs() -> None:
    repo = defs.get_repository_def()
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 3, 2, 0, 10, tzinfo=UTC),
                                     repository_def=repo)
    [daily] = stage_metrics_daily_schedule.evaluate_tick(context).run_requests
    assert daily.partition_key == "2026-03-01"  # the finished day, not the one just begun
    assert daily.tags["dagster/partition"] == "2026-03-01"
    assert stage_metrics_daily_schedule.job_name == "stage_metrics_daily_job"

    expected = {
        migration_decisions_schedule: ("0 */6 * * *", "migration_decisions_job"),
        metrics_summary_schedule: ("20 0 * * *", "metrics_summary_job"),
        quality_predictor_schedule: ("30 1 * * *", "quality_predictor_job"),
    }
    for schedule, (cron, job_name) in expected.items():
        assert (schedule.cron_schedule, schedule.job_name) == (cron, job_name)
        context = build_schedule_context(scheduled_execution_time=datetime(2026, 3, 2, 6, tzinfo=UTC),
                                         repository_def=repo)
        [request] = schedule.evaluate_tick(context).run_requests
        assert request.partition_key is None

    keys = {k.to_user_string() for k in repo.get_job("migration_decisions_job").asset_layer.executable_asset_keys}
    assert keys == {"migration_decisions", "routing_config"}
    keys = {k.to_user_string() for k in repo.get_job("metrics_summary_job").asset_layer.executable_asset_keys}
    assert keys == {"model_performance_summary", "generation_kpis"}
    assert {s.name for s in repo.schedule_defs} >= {
        "migration_decisions_schedule", "stage_metrics_daily_schedule", "metrics_summary_schedule",
        "quality_predictor_schedule"}
