"""Replay a recorded history of stage metrics through the decision engine, in trace time.

Every `every` (6 h) of trace time the engine is evaluated on what was "served" so far. Between two
evaluations each (correlation_id, stage) call is served by the model the routing then in force picks
(canary share included): when the trace holds several models' outcomes for the same call (a
counterfactual trace such as the RouteLLM MMLU data), the row of the routed model is used; when it
holds only what really ran, the in-force model's row, else the recorded row ("fallback").
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nodegen.config import ModelCatalogue, ModelSelectionConfig, load_model_selection
from nodegen.decision.canary import route_model
from nodegen.decision.engine import DecisionEngine, apply_decisions, selection_for_stages
from nodegen.decision.frame import normalize_metrics
from nodegen.errors import ConfigError, NodegenError
from nodegen.records import DecisionKind, ModelSelectionDecision
from nodegen.stages import Stage

FIRST_DAY = timedelta(days=1)


@dataclass
class ReplayResult:
    decisions: list[ModelSelectionDecision]
    summary: dict[str, Any]
    served: pd.DataFrame = field(repr=False)  # the rows the replayed routing served (+ is_canary, fallback)
    routing_timeline: list[tuple[datetime, dict[str, str]]] = field(default_factory=list)
    starting_routing: dict[str, str] = field(default_factory=dict)


def _starting_models(trace: pd.DataFrame, t0: pd.Timestamp) -> dict[str, str]:
    """Per stage, the model that served most calls on the first day (ties: the dearer one)."""
    first = trace[trace["timestamp"] < t0 + FIRST_DAY]
    out: dict[str, str] = {}
    for stage, rows in first.groupby("stage"):
        stats = rows.groupby("model_used").agg(n=("cost_usd", "size"), cost=("cost_usd", "mean"))
        stats = stats.sort_values(["n", "cost"], ascending=[False, False])
        out[str(stage)] = str(stats.index[0])
    return out


def _derived_selection(
    trace: pd.DataFrame, start: Mapping[str, str], prices: Mapping[str, Mapping[str, float]], t0: pd.Timestamp
) -> ModelSelectionConfig:
    """Selection config from the trace alone: start model first, others by falling price; success
    threshold = the start model's first-day success rate minus 0.05 (not worse than where we began)."""
    first = trace[trace["timestamp"] < t0 + FIRST_DAY]
    stages_models: dict[str, list[str]] = {}
    success: dict[str, float] = {}
    for stage, start_model in start.items():
        others = sorted((m for m in prices[stage] if m != start_model), key=lambda m: -prices[stage][m])
        stages_models[stage] = [start_model, *others]
        rows = first[(first["stage"] == stage) & (first["model_used"] == start_model)]
        success[stage] = max(0.0, round(float(rows["success"].mean()) - 0.05, 3))
    return selection_for_stages(stages_models, success_thresholds=success)


def replay(
    trace: pd.DataFrame,
    selection: ModelSelectionConfig | None = None,
    catalogue: ModelCatalogue | None = None,
    every: timedelta = timedelta(hours=6),
    predictor: Any = None,
) -> ReplayResult:
    """Run the engine over `trace` (stage_metrics columns) every `every` of trace time."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    trace = normalize_metrics(trace).reset_index(drop=True)
    if trace.empty:
        raise ConfigError("the trace has no rows")
    bad = sorted(set(trace["stage"]) - {s.value for s in Stage})
    if bad:
        raise ConfigError(f"trace has unknown stages {bad}; expected {[s.value for s in Stage]}")
    t0 = trace["timestamp"].min().floor("s")
    prices = {
        str(stage): {str(m): float(c) for m, c in rows.groupby("model_used")["cost_usd"].mean().items()}
        for stage, rows in trace.groupby("stage")
    }
    if selection is None:
        start = _starting_models(trace, t0)
        selection = _derived_selection(trace, start, prices, t0)
    else:
        start = {s: m for s, m in selection.default_routing().items() if s in prices}
    routing: dict[str, str] = dict(start)
    engine = DecisionEngine(selection, catalogue, predictor)

    # Index the calls: (correlation_id, stage) -> {model: row}, time, kind.
    groups = trace.groupby(["correlation_id", "stage"], sort=False)
    first_ts = groups["timestamp"].min()
    kinds = groups["node_kind"].first()
    members: dict[tuple[str, str], dict[str, int]] = {}
    for idx, cid, stage, model in zip(
        trace.index, trace["correlation_id"], trace["stage"], trace["model_used"], strict=True
    ):
        members.setdefault((cid, stage), {}).setdefault(model, idx)
    order = first_ts.sort_values()
    call_keys = list(order.index)
    call_times = [ts.value for ts in order]  # ns since epoch, ascending

    served_idx: list[int] = []
    served_time: list[int] = []
    canary_flags: list[bool] = []
    fallback_flags: list[bool] = []
    history: list[ModelSelectionDecision] = []
    timeline: list[tuple[datetime, dict[str, str]]] = [(t0.to_pydatetime(), dict(routing))]
    exclusions: dict[str, set[str]] = {}
    window = timedelta(hours=max(selection.migration.window_hours, selection.rollback.window_hours))
    t_end = trace["timestamp"].max()
    t_eval = t0 + every
    pos = 0
    n_calls = len(call_keys)
    evaluations = 0
    while True:
        while pos < n_calls and call_times[pos] <= t_eval.value:
            cid, stage = call_keys[pos]
            kind = kinds.loc[(cid, stage)]
            kind = None if kind is None or (isinstance(kind, float) and np.isnan(kind)) else str(kind)
            choice = route_model(
                stage,
                cid,
                routing,
                selection,
                catalogue,
                kind,
                observed_costs=prices.get(stage),
                exclude=exclusions.get(f"{stage}:{kind}" if f"{stage}:{kind}" in routing else stage, set()),
            )
            rows = members[(cid, stage)]
            if choice.model in rows:
                served_idx.append(rows[choice.model])
                fallback_flags.append(False)
                canary_flags.append(choice.is_canary)
            elif choice.current_model in rows:
                served_idx.append(rows[choice.current_model])
                fallback_flags.append(False)
                canary_flags.append(False)
            else:
                served_idx.append(next(iter(rows.values())))
                fallback_flags.append(True)
                canary_flags.append(False)
            served_time.append(call_times[pos])
            pos += 1
        # Engine input: served rows in the look-back window, stamped with their serving time.
        lo = bisect.bisect_right(served_time, (t_eval - window).value)
        frame = trace.loc[served_idx[lo:]].copy()
        frame["timestamp"] = pd.to_datetime(np.array(served_time[lo:], dtype="int64"), utc=True)
        decisions = engine.decide(frame, routing, t_eval.to_pydatetime(), history)
        evaluations += 1
        if decisions:
            history.extend(decisions)
            new_routing = apply_decisions(routing, decisions)
            if new_routing != routing:
                routing = new_routing
                timeline.append((t_eval.to_pydatetime(), dict(routing)))
        exclusions = engine.canary_exclusions(frame, routing, t_eval.to_pydatetime(), history)
        if t_eval >= t_end:
            break
        t_eval = t_eval + every

    served = trace.loc[served_idx].copy()
    served["timestamp"] = pd.to_datetime(np.array(served_time, dtype="int64"), utc=True)
    served["is_canary"] = canary_flags
    served["fallback"] = fallback_flags
    summary = _summary(trace, served, members, call_keys, start, history, routing, evaluations)
    return ReplayResult(history, summary, served.reset_index(drop=True), timeline, start)


def _summary(
    trace: pd.DataFrame,
    served: pd.DataFrame,
    members: Mapping[tuple[str, str], Mapping[str, int]],
    call_keys: list[tuple[str, str]],
    start: Mapping[str, str],
    history: list[ModelSelectionDecision],
    routing: Mapping[str, str],
    evaluations: int,
) -> dict[str, Any]:
    baseline_idx = []
    for cid, stage in call_keys:
        rows = members[(cid, stage)]
        model = start.get(stage)
        baseline_idx.append(rows[model] if model in rows else next(iter(rows.values())))
    baseline = trace.loc[baseline_idx]
    n_gen = served["correlation_id"].nunique()
    cost = float(served["cost_usd"].sum()) / n_gen
    base_cost = float(baseline["cost_usd"].sum()) / n_gen
    quality = float(served["quality_score"].mean())
    base_quality = float(baseline["quality_score"].mean())
    return {
        "generations": int(n_gen),
        "stage_calls": len(served),
        "evaluations": evaluations,
        "migrations": sum(d.kind == DecisionKind.MIGRATE for d in history),
        "rollbacks": sum(d.kind == DecisionKind.ROLLBACK for d in history),
        "cost_per_generation": round(cost, 8),
        "baseline_cost_per_generation": round(base_cost, 8),
        "cost_reduction_pct": round((1 - cost / base_cost) * 100, 3) if base_cost > 0 else 0.0,
        "mean_quality": round(quality, 6),
        "baseline_mean_quality": round(base_quality, 6),
        "quality_ratio": round(quality / base_quality, 6) if base_quality > 0 else None,
        "success_rate": round(float(served["success"].mean()), 6),
        "canary_share": round(float(served["is_canary"].mean()), 6),
        "fallback_rows": int(served["fallback"].sum()),
        "starting_routing": dict(start),
        "final_routing": dict(routing),
    }


def _decision_json(decision: ModelSelectionDecision) -> dict[str, Any]:
    return {
        "timestamp": decision.timestamp.isoformat(),
        "stage": decision.stage.value,
        "node_kind": decision.node_kind,
        "kind": decision.kind.value,
        "previous_model": decision.previous_model,
        "new_model": decision.new_model,
        "reason": decision.reason,
        "status": decision.status,
    }


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def load_trace(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in {".parquet", ".pq"}:
        return pd.read_parquet(path)
    return pd.read_csv(path)


def replay_cli(argv: list[str]) -> int:
    """`nodegen replay TRACE.csv [--config FILE] [--json]`: 0 ok, 1 bad trace/config, 2 usage."""
    parser = _Parser(prog="nodegen replay", description="Replay stage metrics through the decision engine.")
    parser.add_argument("trace", type=Path, help="CSV (or parquet) with the stage_metrics columns")
    parser.add_argument("--config", type=Path, default=None, help="model_selection.yaml to replay under")
    parser.add_argument("--json", action="store_true", help="one JSON object per decision, then a summary")
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"nodegen replay: usage error: {exc}", file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    if not args.trace.is_file():
        print(f"nodegen replay: usage error: trace file {args.trace} does not exist", file=sys.stderr)
        return 2
    if args.config is not None and not args.config.is_file():
        print(f"nodegen replay: usage error: config file {args.config} does not exist", file=sys.stderr)
        return 2
    try:
        trace = load_trace(args.trace)
        selection = load_model_selection(args.config) if args.config else None
        result = replay(trace, selection)
    except (NodegenError, ValueError, pd.errors.ParserError, OSError) as exc:
        print(f"nodegen replay: {args.trace}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for decision in result.decisions:
            print(json.dumps(_decision_json(decision)))
        print(json.dumps({"summary": result.summary}))
        return 0
    print(f"{'timestamp':<26} {'stage':<18} {'kind':<9} {'previous':<24} {'new':<24} reason")
    for d in result.decisions:
        key = d.stage.value + (f":{d.node_kind}" if d.node_kind else "")
        print(
            f"{d.timestamp.isoformat():<26} {key:<18} {d.kind.value:<9} {d.previous_model:<24} "
            f"{d.new_model:<24} {d.reason}"
        )
    s = result.summary
    print(
        f"\n{s['generations']} generations, {s['evaluations']} evaluations, {s['migrations']} migrations, "
        f"{s['rollbacks']} rollbacks\ncost/generation {s['cost_per_generation']:.6f} USD vs baseline "
        f"{s['baseline_cost_per_generation']:.6f} ({s['cost_reduction_pct']:.1f}% less); mean quality "
        f"{s['mean_quality']:.4f} vs {s['baseline_mean_quality']:.4f}"
    )
    return 0
