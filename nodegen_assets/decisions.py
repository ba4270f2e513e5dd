"""Model selection assets and jobs: the routing in force, the decision engine, approvals, restores
and the quality predictor.

`migration_decisions` runs `DecisionEngine` over the store's stage metrics, the routing in force and
the rules of `model_selection.yaml`, and acts by the configured `mode`:
- automatic: decisions are stored as `applied`, each one writes a new routing version and a
  MODEL_MIGRATED / MODEL_ROLLED_BACK event;
- dry_run: decisions are stored as `recommended`; the routing is left alone;
- approval: decisions are stored as `pending` until someone runs `approve_decision_job` with
  `{decision_id, approve}`; approving applies it exactly as automatic mode would have.
Before the first change the config's default routing is stored as version 1, so it can be restored.
A manual restore (`restore_routing_job`) is recorded as a rollback decision per changed key, so the
engine cools down before migrating back to the model a person just moved away from.
"""


import json
import os
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetSelection,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    OpExecutionContext,
    asset,
    define_asset_job,
    job,
    op,
)
from pydantic import Field

from nodegen.config import (
    DecisionMode,
    ModelCatalogue,
    ModelSelectionConfig,
    load_model_catalogue,
    load_model_selection,
)
from nodegen.decision import (
    DecisionEngine,
    QualityPredictor,
    apply_decisions,
    train_quality_predictor,
)
from nodegen.decision.engine import decision_key
from nodegen.decision.predictor import MIN_ROWS
from nodegen.errors import ConfigError
from nodegen.records import (
    DecisionKind,
    EventEnvelope,
    EventType,
    ModelSelectionDecision,
    RoutingVersion,
)
from nodegen.store import MetricsStore
from nodegen.store.metrics_store import ROUTING_RESTORE_DAYS
from nodegen_assets.metrics import md_table
from resources import NodegenResource

GROUP = "model_selection"
PREDICTOR_DAYS = 30  # the quality predictor trains on this many days of stage calls
EVENT_SOURCE = "decision_engine"


# ---------------------------------------------------------------------------- store glue
def load_selection(nodegen: NodegenResource) -> tuple[ModelSelectionConfig, ModelCatalogue]:
    """model_selection.yaml and models.yaml of the resource's config folder."""
    config_dir = nodegen.settings().config_dir
    catalogue = load_model_catalogue(config_dir / "models.yaml")
    return load_model_selection(config_dir / "model_selection.yaml", catalogue), catalogue


def routing_in_force(store: MetricsStore, selection: ModelSelectionConfig) -> RoutingVersion:
    """The stored routing in force; before any, the config default stored as version 1."""
    current = store.current_routing()
    if current is None:
        current = store.add_routing_version(
            selection.default_routing(), "initial routing: model_selection.yaml defaults"
        )
    return current


def put_in_force(store: MetricsStore, selection: ModelSelectionConfig,
                 decision: ModelSelectionDecision) -> RoutingVersion:
    """Apply one stored, effective (applied/approved) decision: a new routing version, the
    migration it undoes marked rolled_back, and a MODEL_MIGRATED / MODEL_ROLLED_BACK event."""
    current = routing_in_force(store, selection)
    routing = apply_decisions(current.routing, [decision], statuses={decision.status})
    version = store.add_routing_version(routing, decision.reason, decision_id=decision.decision_id)
    undone = decision.evidence.get("migration_decision_id")
    if decision.kind == DecisionKind.ROLLBACK and undone:
        store.update_decision_status(str(undone), "rolled_back")
    store.append_event(_event(decision, version))
    return version


def _event(decision: ModelSelectionDecision, version: RoutingVersion) -> EventEnvelope:
    migrated = decision.kind == DecisionKind.MIGRATE
    return EventEnvelope(
        envelope_id=f"{decision.decision_id}-v{version.version}",
        event_type=EventType.MODEL_MIGRATED if migrated else EventType.MODEL_ROLLED_BACK,
        correlation_id=decision.decision_id,
        payload_type="ModelSelectionDecision",
        payload={**decision.model_dump(mode="json"), "routing_version": version.version},
        source=EVENT_SOURCE,
    )


def _load_predictor(path: Path) -> QualityPredictor | None:
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return pickle.load(fh)  # our own file under NODEGEN_HOME, written by quality_predictor


def predictor_path(home: Path) -> Path:
    return home / "models" / "quality_predictor.pkl"


# ---------------------------------------------------------------------------- metadata
def routing_metadata(store: MetricsStore, version: RoutingVersion | None,
                     selection: ModelSelectionConfig) -> dict[str, object]:
    """Version, when, why and the routing per stage; plus the restorable history."""
    if version is None:
        routing = selection.default_routing()
        head: dict[str, object] = {
            "version": 0, "reason": "no routing stored yet: model_selection.yaml defaults",
        }
    else:
        routing = version.routing
        head = {
            "version": version.version,
            "created_at": MetadataValue.timestamp(version.created_at),
            "reason": version.reason,
            "decision_id": version.decision_id or "",
        }
    history = pd.DataFrame(
        [
            {"version": v.version, "created_at": v.created_at.isoformat(timespec="seconds"),
             "reason": v.reason, "routing": ", ".join(f"{k}={m}" for k, m in sorted(v.routing.items()))}
            for v in store.routing_history(ROUTING_RESTORE_DAYS)
        ]
    )
    table = pd.DataFrame(sorted(routing.items()), columns=["routing key", "model"])
    return {
        **head,
        "mode": str(selection.mode),
        "routing": MetadataValue.md(md_table(table)),
        "restorable_versions": MetadataValue.md(md_table(history)),
    }


_EVIDENCE_SHOWN = ("samples_current", "samples_candidate", "samples", "mean_quality_current",
                   "mean_quality_candidate", "mean_quality", "lower_bound", "saving_pct",
                   "success_rate", "success_rate_candidate")


def decisions_metadata(decisions: list[ModelSelectionDecision]) -> str:
    """One row per decision with its key evidence, then each decision's full evidence."""
    if not decisions:
        return "_no decision_"
    rows = [
        {
            "decision_id": d.decision_id, "key": decision_key(d), "kind": str(d.kind),
            "change": f"{d.previous_model} -> {d.new_model}", "status": d.status,
            **{k: d.evidence[k] for k in _EVIDENCE_SHOWN if k in d.evidence},
        }
        for d in decisions
    ]
    frame = pd.DataFrame(rows).fillna("")
    details = "\n\n".join(
        f"**{d.decision_id}** {d.reason}\n\n```json\n{json.dumps(d.evidence, indent=2, default=str)}\n```"
        for d in decisions
    )
    return md_table(frame) + "\n\n" + details


def _evaluation_table(report: list[dict]) -> str:
    rows = []
    for entry in report:
        verdicts = entry.get("candidates", {})
        outcome = entry.get("skipped") or "; ".join(
            f"{m}: {'admissible' if v['admissible'] else ', '.join(v['reasons'])}"
            for m, v in verdicts.items()
        ) or "no cheaper candidate"
        rows.append({"key": entry["key"], "current": entry["current"],
                     "samples_current": entry["samples_current"], "outcome": outcome})
    return md_table(pd.DataFrame(rows))


# ---------------------------------------------------------------------------- assets
class DecisionRunConfig(Config):
    mode: str | None = Field(
        default=None,
        description="Override model_selection.yaml's mode for this run: automatic, dry_run or approval",
    )


@asset(group_name=GROUP, deps=["model_performance_summary"], kinds={"python"})
def migration_decisions(
    context: AssetExecutionContext, config: DecisionRunConfig, nodegen: NodegenResource
) -> MaterializeResult:
    """Migrations and rollbacks proposed by the decision engine, stored with their evidence and
    applied according to the mode (automatic / dry_run / approval)."""
    selection, catalogue = load_selection(nodegen)
    if config.mode is not None:
        try:
            selection = selection.model_copy(update={"mode": DecisionMode(config.mode)})
        except ValueError:
            modes = ", ".join(m.value for m in DecisionMode)
            raise Failure(description=f"mode {config.mode!r} is not one of {modes}") from None
    store = nodegen.metrics_store()
    now = datetime.now(UTC)
    rules = selection.migration
    window = timedelta(hours=max(rules.window_hours, selection.rollback.window_hours))
    frame = store.stage_metrics_frame(since=now - window)
    before = store.current_routing()
    routing = before.routing if before else selection.default_routing()
    predictor = _load_predictor(predictor_path(nodegen.settings().home))
    engine = DecisionEngine(selection, catalogue, predictor)
    decisions, report = engine.evaluate(frame, routing, now, store.decisions())

    for decision in decisions:
        store.record_decision(decision)
        if selection.mode == DecisionMode.AUTOMATIC:
            version = put_in_force(store, selection, decision)
            context.log.info(f"{decision.reason} -> routing v{version.version}")
        else:
            context.log.info(f"{decision.status}: {decision.reason} ({decision.decision_id})")
    after = store.current_routing()
    return MaterializeResult(
        metadata={
            "mode": str(selection.mode),
            "evaluated_at": MetadataValue.timestamp(now),
            "stage_calls": len(frame),
            "decisions": len(decisions),
            "routing_version_before": before.version if before else 0,
            "routing_version_after": after.version if after else 0,
            "predictor": "used" if predictor else "none trained yet",
            "decision_table": MetadataValue.md(decisions_metadata(decisions)),
            "evaluation": MetadataValue.md(_evaluation_table(report)),
            "pending": len(store.decisions(status="pending")),
        }
    )


@asset(group_name=GROUP, deps=[migration_decisions], kinds={"python"})
def routing_config(context: AssetExecutionContext, nodegen: NodegenResource) -> MaterializeResult:
    """The routing version in force: version, model per stage, when and why; and the versions of
    the last 14 days that `restore_routing_job` can bring back."""
    selection, _ = load_selection(nodegen)
    store = nodegen.metrics_store()
    current = store.current_routing()
    context.log.info(f"routing in force: v{current.version if current else 0}")
    return MaterializeResult(metadata=routing_metadata(store, current, selection))


@asset(group_name=GROUP, kinds={"sklearn"})
def quality_predictor(context: AssetExecutionContext, nodegen: NodegenResource) -> MaterializeResult:
    """Per-stage success/quality models on the last 30 days of stage calls, pickled under
    NODEGEN_HOME/models; the engine uses them only to order admissible candidates."""
    store = nodegen.metrics_store()
    since = datetime.now(UTC) - timedelta(days=PREDICTOR_DAYS)
    frame = store.stage_metrics_frame(since=since)
    # a generation may start just before the window its stage calls fall in
    domains = store.generations_frame(since=since - timedelta(days=1))[["correlation_id", "domain"]]
    frame = frame.merge(domains, on="correlation_id", how="left")
    counts = frame.groupby("stage").size().to_dict() if len(frame) else {}
    path = predictor_path(nodegen.settings().home)
    try:
        predictor = train_quality_predictor(frame)
    except ConfigError as exc:
        context.log.warning(str(exc))
        return MaterializeResult(
            metadata={
                "status": "not enough data",
                "detail": f"{exc}; rows per stage: {counts or 'none'}; no model written",
                "rows": len(frame),
                "min_rows_per_stage": MIN_ROWS,
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(predictor, fh)
    os.replace(tmp, path)
    metrics = pd.DataFrame([m.model_dump() for m in predictor.metrics.values()])
    aucs = metrics["auc"].dropna()
    return MaterializeResult(
        metadata={
            "status": "trained",
            "rows": len(frame),
            "stages": len(metrics),
            "mean_auc": round(float(aucs.mean()), 4) if len(aucs) else None,
            "mean_brier": round(float(metrics["brier"].mean()), 4),
            "held_out": MetadataValue.md(md_table(metrics)),
            "path": MetadataValue.path(str(path)),
        }
    )


model_selection_assets = [migration_decisions, routing_config, quality_predictor]


# ---------------------------------------------------------------------------- jobs with config
def _routing_event(store: MetricsStore, selection: ModelSelectionConfig,
                   version: RoutingVersion, why: str) -> AssetMaterialization:
    """Show a routing change made outside the assets on the routing_config asset's page."""
    return AssetMaterialization(
        asset_key=AssetKey("routing_config"), description=why,
        metadata=routing_metadata(store, version, selection),
    )


class ApprovalConfig(Config):
    decision_id: str = Field(description="The pending decision (see migration_decisions metadata)")
    approve: bool = Field(description="true applies it, false rejects it")


@op(description="Approve (and apply) or reject one pending decision.")
def approve_decision(context: OpExecutionContext, config: ApprovalConfig, nodegen: NodegenResource) -> str:
    selection, _ = load_selection(nodegen)
    store = nodegen.metrics_store()
    pending = {d.decision_id: d for d in store.decisions(status="pending")}
    decision = pending.get(config.decision_id)
    if decision is None:
        raise Failure(
            description=f"no pending decision {config.decision_id!r}; pending: {sorted(pending) or 'none'}"
        )
    if not config.approve:
        store.update_decision_status(decision.decision_id, "rejected")
        context.log.info(f"rejected {decision.decision_id}: {decision.reason}")
        return "rejected"
    current = routing_in_force(store, selection).routing
    in_force = current.get(decision_key(decision)) or current.get(decision.stage.value)
    if in_force != decision.previous_model:
        store.update_decision_status(decision.decision_id, "superseded")
        raise Failure(
            description=(
                f"decision {decision.decision_id} moves {decision_key(decision)} from "
                f"{decision.previous_model}, but {in_force} is in force now; marked superseded"
            )
        )
    store.update_decision_status(decision.decision_id, "approved")
    decision.status = "approved"
    version = put_in_force(store, selection, decision)
    context.log.info(f"approved {decision.decision_id} -> routing v{version.version}")
    context.log_event(_routing_event(store, selection, version, f"approved {decision.decision_id}"))
    return "approved"


class RestoreConfig(Config):
    version: int = Field(description="A routing version in force during the last 14 days")
    reason: str = Field(min_length=1, description="Why (kept with the new version)")


@op(description="Put an earlier routing version (last 14 days) back in force as a new version.")
def restore_routing_version(context: OpExecutionContext, config: RestoreConfig, nodegen: NodegenResource) -> int:
    selection, _ = load_selection(nodegen)
    store = nodegen.metrics_store()
    before = routing_in_force(store, selection)
    try:
        version = store.restore_routing(config.version, config.reason)
    except ValueError as exc:
        raise Failure(description=str(exc)) from exc
    for key in sorted(set(before.routing) | set(version.routing)):
        old, new = before.routing.get(key), version.routing.get(key)
        if old is None or new is None or old == new:
            continue
        stage, _, kind = key.partition(":")
        decision = ModelSelectionDecision(
            stage=stage, node_kind=kind or None, previous_model=old, new_model=new,
            kind=DecisionKind.ROLLBACK, status="applied",
            reason=f"manual restore of routing v{config.version}: {config.reason}",
            evidence={"restored_version": config.version, "routing_version": version.version},
        )
        store.record_decision(decision)
        store.append_event(_event(decision, version))
    context.log.info(f"routing v{config.version} restored as v{version.version}")
    context.log_event(_routing_event(store, selection, version, f"restored v{config.version}"))
    return version.version


@job(description="Approve or reject a pending model selection decision: {decision_id, approve}.")
def approve_decision_job() -> None:
    approve_decision()


@job(description="Restore a routing version of the last 14 days: {version, reason}.")
def restore_routing_job() -> None:
    restore_routing_version()


migration_decisions_job = define_asset_job(
    "migration_decisions_job",
    selection=AssetSelection.assets(migration_decisions, routing_config),
    description="Run the decision engine, apply by mode, show the routing in force.",
)
quality_predictor_job = define_asset_job(
    "quality_predictor_job",
    selection=AssetSelection.assets(quality_predictor),
    description="Retrain the per-stage quality predictor.",
)
model_selection_jobs = [migration_decisions_job, quality_predictor_job, approve_decision_job,
                        restore_routing_job]
