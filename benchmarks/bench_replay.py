"""Decision-engine replay benchmark (issue 5): does the real engine cut cost without losing quality?

1. Simulated fleet (benchmarks/replay_sim.py): four models per stage with known true quality, cost and
   latency, one of which degrades on day 15; 30 days of noisy counterfactual traffic replayed through
   `nodegen.decision.replay` (evaluated every 6 h of trace time). Scored against the all-cloud
   baseline and the oracle (cheapest model within 0.03 of the best true quality, known in advance),
   with harmful migrations (to a model whose true quality is > 0.03 under the best at that time) and
   the trace hours from the degradation to the rollback.
2. Real data: the RouteLLM MMLU correctness of GPT-4 and Mixtral on 14,042 prompts, spread over 30
   days as one stage's calls (quality = correctness), replayed with the config derived from the trace.

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_replay.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.replay_sim import (
    START,
    SimModel,
    default_fleet,
    fleet_selection,
    oracle_rows,
    simulate_trace,
    trace_day,
)
from nodegen.decision import DecisionEngine, replay
from nodegen.decision.engine import selection_for_stages
from nodegen.records import DecisionKind
from nodegen.stages import Stage

MMLU_DIR = Path("/work/shared/data/routellm-mmlu")
GPT4, MIXTRAL = "gpt-4-1106-preview", "mistralai/Mixtral-8x7B-Instruct-v0.1"
PRICE_PER_MTOK = {GPT4: 20.0, MIXTRAL: 0.90}  # USD per million tokens, RouteLLM's benchmark README
HARMFUL_DROP = 0.03
EVERY = timedelta(hours=6)


def per_generation(rows: pd.DataFrame, n_gen: int) -> tuple[float, float]:
    return float(rows["cost_usd"].sum()) / n_gen, float(rows["quality_score"].mean())


def true_quality(rows: pd.DataFrame, fleet: list[SimModel]) -> float:
    """Mean of the known true quality of the model that served each row, at its time."""
    by_name = {m.name: m for m in fleet}
    days = (rows["timestamp"] - pd.Timestamp(START)).dt.total_seconds() / 86400
    return float(np.mean([by_name[m].true_quality(d) for m, d in zip(rows["model_used"], days, strict=True)]))


def rollback_hours(result, fleet: list[SimModel]) -> float | None:
    """Worst over routing keys: trace hours a key stayed on a degraded model after it degraded
    (inf when never rolled back; None when no key was on it after the degradation)."""
    worst: float | None = None
    for model in (m for m in fleet if m.degrade_at_day is not None):
        t_deg = pd.Timestamp(START) + pd.Timedelta(days=model.degrade_at_day)
        keys = {k for _, routing in result.routing_timeline for k in routing}
        for key in keys:
            exposed_at = None
            for ts, routing in result.routing_timeline:
                ts = pd.Timestamp(ts)
                on = routing.get(key) == model.name
                if on and exposed_at is None:
                    exposed_at = max(ts, t_deg)
                elif not on and exposed_at is not None:
                    if ts >= t_deg:
                        hours = (ts - exposed_at).total_seconds() / 3600
                        worst = hours if worst is None else max(worst, hours)
                    exposed_at = None
            if exposed_at is not None:
                worst = math.inf
    return worst


def off_cloud_hours(result) -> float:
    """Trace hours until every stage had migrated away from its starting model."""
    firsts = {}
    for d in result.decisions:
        if d.kind == DecisionKind.MIGRATE and d.node_kind is None:
            firsts.setdefault(d.stage.value, pd.Timestamp(d.timestamp))
    if set(firsts) != set(result.starting_routing):
        return math.inf
    return (max(firsts.values()) - pd.Timestamp(START)).total_seconds() / 3600


def harmful_migrations(result, fleet: list[SimModel]) -> int:
    by_name = {m.name: m for m in fleet}
    count = 0
    for d in result.decisions:
        if d.kind != DecisionKind.MIGRATE:
            continue
        day = trace_day(d.timestamp)
        best = max(m.true_quality(day) for m in fleet)
        if best - by_name[d.new_model].true_quality(day) > HARMFUL_DROP:
            count += 1
    return count


def simulated(seed: int) -> dict[str, float | int | str]:
    fleet = default_fleet()
    trace = simulate_trace(fleet, seed=seed)
    n_gen = trace["correlation_id"].nunique()
    t = time.perf_counter()
    result = replay(trace, fleet_selection(fleet), every=EVERY)
    seconds = time.perf_counter() - t
    cloud = trace[trace["model_used"] == "cloud-large"]
    oracle = oracle_rows(trace, fleet)
    cost, quality = per_generation(result.served, n_gen)
    cloud_cost, cloud_q = per_generation(cloud, n_gen)
    oracle_cost, oracle_q = per_generation(oracle, n_gen)
    return {
        "seed": seed,
        "migrations": result.summary["migrations"],
        "rollbacks": result.summary["rollbacks"],
        "harmful": harmful_migrations(result, fleet),
        "rollback_h": rollback_hours(result, fleet),
        "all_off_cloud_h": off_cloud_hours(result),
        "cost_gen": cost,
        "cloud_cost_gen": cloud_cost,
        "oracle_cost_gen": oracle_cost,
        "reduction_pct": (1 - cost / cloud_cost) * 100,
        "oracle_reduction_pct": (1 - oracle_cost / cloud_cost) * 100,
        "quality": quality,
        "cloud_quality": cloud_q,
        "oracle_quality": oracle_q,
        "q_vs_cloud": quality / cloud_q,
        "q_vs_oracle": quality / oracle_q,
        "true_q_vs_cloud": true_quality(result.served, fleet) / true_quality(cloud, fleet),
        "canary_share": result.summary["canary_share"],
        "final": ",".join(sorted(set(result.summary["final_routing"].values()))),
        "replay_s": seconds,
    }


def fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "never"
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.1f}"
    return "n/a" if value is None else str(value)


def table(rows: list[dict[str, object]], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


SIM_COLUMNS = [
    "seed", "migrations", "rollbacks", "harmful", "rollback_h", "all_off_cloud_h", "cost_gen", "cloud_cost_gen",
    "oracle_cost_gen", "reduction_pct", "oracle_reduction_pct", "quality", "cloud_quality",
    "oracle_quality", "q_vs_cloud", "q_vs_oracle", "true_q_vs_cloud", "canary_share", "final", "replay_s",
]
WORSE_IS_HIGHER = {"harmful", "rollback_h", "all_off_cloud_h", "cost_gen", "replay_s"}
WORSE_IS_LOWER = {"reduction_pct", "quality", "q_vs_cloud", "q_vs_oracle", "true_q_vs_cloud"}


def aggregate(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    mean: dict[str, object] = {"seed": "mean"}
    worst: dict[str, object] = {"seed": "worst"}
    for col in SIM_COLUMNS[1:]:
        values = [r[col] for r in rows]
        if not all(isinstance(v, int | float) for v in values):
            continue
        mean[col] = float(np.mean(values))
        if col in WORSE_IS_HIGHER:
            worst[col] = max(values)
        elif col in WORSE_IS_LOWER:
            worst[col] = min(values)
    return [mean, worst]


def load_mmlu(seed: int, days: int = 30) -> pd.DataFrame:
    """A counterfactual trace: every MMLU prompt is one business_logic call, with one row per model."""
    frames = [pd.read_csv(p) for p in sorted(MMLU_DIR.glob("mmlu_*.csv"))]
    prompts = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(seed)
    prompts = prompts.iloc[rng.permutation(len(prompts))].reset_index(drop=True)
    n = len(prompts)
    offsets = np.sort(rng.uniform(0, days * 86400, n))
    tokens_in = np.ceil(prompts["prompt"].str.len().to_numpy() / 4).astype(int)  # ~4 chars per token
    tokens_out = 1  # MMLU answers are a single letter
    out = []
    for model in (GPT4, MIXTRAL):
        correct = prompts[model].astype(str).str.lower().eq("true")
        out.append(
            pd.DataFrame(
                {
                    "correlation_id": [f"mmlu-{i:05d}" for i in range(n)],
                    "stage": Stage.BUSINESS_LOGIC.value,
                    "attempt": 1,
                    "model_used": model,
                    "provider": "routellm",
                    "tokens_input": tokens_in,
                    "tokens_output": tokens_out,
                    "latency_ms": 1000.0,  # not in the data; no latency target is configured
                    "cost_usd": (tokens_in + tokens_out) * PRICE_PER_MTOK[model] / 1e6,
                    "quality_score": correct.astype(float).to_numpy(),
                    "success": True,  # every call returned an answer; correctness is the quality
                    "patterns_used": 0,
                    "error": None,
                    "node_kind": None,
                    "timestamp": pd.to_datetime(START) + pd.to_timedelta(offsets, unit="s"),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def mmlu(seed: int) -> tuple[dict[str, object], list[str], list[dict[str, object]]]:
    trace = load_mmlu(seed)
    # What `nodegen replay` derives without --config: GPT-4 first (dearer, tied on calls), success
    # threshold = its first-day success rate (1.0) - 0.05, default migration/rollback rules.
    stage = Stage.BUSINESS_LOGIC.value
    selection = selection_for_stages({stage: [GPT4, MIXTRAL]}, success_thresholds={stage: 0.95})
    n_gen = trace["correlation_id"].nunique()
    t = time.perf_counter()
    result = replay(trace, selection, every=EVERY)
    seconds = time.perf_counter() - t
    gpt4_cost, gpt4_acc = per_generation(trace[trace["model_used"] == GPT4], n_gen)
    mix_cost, mix_acc = per_generation(trace[trace["model_used"] == MIXTRAL], n_gen)
    cost, acc = per_generation(result.served, n_gen)
    row = {
        "prompts": n_gen,
        "migrations": result.summary["migrations"],
        "rollbacks": result.summary["rollbacks"],
        "final": result.summary["final_routing"][stage],
        "cost_gen": cost,
        "gpt4_cost_gen": gpt4_cost,
        "mixtral_cost_gen": mix_cost,
        "reduction_pct": (1 - cost / gpt4_cost) * 100,
        "accuracy": acc,
        "gpt4_accuracy": gpt4_acc,
        "mixtral_accuracy": mix_acc,
        "acc_vs_gpt4": acc / gpt4_acc,
        "canary_share": result.summary["canary_share"],
        "replay_s": seconds,
    }
    decisions = [f"{d.timestamp.isoformat()} {d.kind.value}: {d.reason}" for d in result.decisions]
    return row, decisions, mixtral_evidence(selection, result, stage)


def mixtral_evidence(selection, result, stage: str) -> list[dict[str, object]]:
    """The engine's own per-candidate report for Mixtral at every evaluation of the replay."""
    engine = DecisionEngine(selection)
    served = result.served
    ticks = pd.date_range(served["timestamp"].min().floor("s") + EVERY, served["timestamp"].max() + EVERY, freq=EVERY)
    out = []
    for tick in ticks:
        now = tick.to_pydatetime()
        routing = [r for ts, r in result.routing_timeline if pd.Timestamp(ts) <= tick][-1]
        history = [d for d in result.decisions if pd.Timestamp(d.timestamp) < tick]
        _, report = engine.evaluate(served[served["timestamp"] <= tick], routing, now, history)
        for key_report in report:
            if key_report["key"] == stage and MIXTRAL in key_report.get("candidates", {}):
                out.append(key_report["candidates"][MIXTRAL])
    return out


def summarize_evidence(evidence: list[dict[str, object]]) -> str:
    judged = [e for e in evidence if e.get("lower_bound") is not None]
    reasons: dict[str, int] = {}
    for e in evidence:
        for reason in e.get("reasons", []):
            head = reason.split(" ")[0] + " " + reason.split(" ")[1]
            reasons[head] = reasons.get(head, 0) + 1
    lines = [f"{len(evidence)} evaluations of Mixtral as candidate; {len(judged)} with enough samples to judge"]
    if judged:
        diffs = [float(e["quality_diff"]) for e in judged]
        lows = [float(e["lower_bound"]) for e in judged]
        n = [int(e["samples_candidate"]) for e in judged]
        lines.append(
            f"judged: candidate samples {min(n)}-{max(n)}, accuracy difference {min(diffs):.3f} to {max(diffs):.3f}, "
            f"one-sided lower bound {min(lows):.3f} to {max(lows):.3f} (needs >= -0.030)"
        )
    lines.append("refusal reasons (evaluations): " + ", ".join(f"{k}... x{v}" for k, v in sorted(reasons.items())))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="simulated traces (seeds 1..N)")
    parser.add_argument("--mmlu-seed", type=int, default=1, help="order/timing of the MMLU prompts")
    args = parser.parse_args()

    rows = [simulated(seed) for seed in range(1, args.seeds + 1)]
    print("## Simulated fleet: 4 stages x 4 models, 30 days x 400 generations, evaluated every 6 h\n")
    print(table(rows + aggregate(rows), SIM_COLUMNS))
    mean, worst = aggregate(rows)
    print(
        f"\ntargets: cost reduction >= 80% (worst {fmt(worst['reduction_pct'])}%), quality >= 98% of all-cloud "
        f"(worst {fmt(worst['q_vs_cloud'])}), harmful migrations 0 (worst {worst['harmful']}), "
        f"rollback <= 24 h (worst {fmt(worst['rollback_h'])} h)"
    )

    row, decisions, evidence = mmlu(args.mmlu_seed)
    print("\n## RouteLLM MMLU: 14,042 prompts as business_logic calls over 30 days, GPT-4 vs Mixtral\n")
    print(table([row], list(row)))
    print("\ndecisions:" + ("".join(f"\n- {d}" for d in decisions) if decisions else " none"))
    print(summarize_evidence(evidence))


if __name__ == "__main__":
    main()
