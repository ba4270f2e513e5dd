"""Benchmark: build the daily quality report over 30 days x N generations/day.

Synthesises metrics frames shaped like the store's (8 stage rows per generation, a migration of
two LLM stages half-way through, patterns on ~60% of generations, patterns_used as JSON text as
SQL returns it), then times `build_quality_report` (numbers only and with charts),
`to_markdown()` and `detect_degradation`, and prints a table with the markdown size that the
Dagster asset stores as metadata.

    PYTHONPATH=. python benchmarks/bench_report.py [--days 30] [--per-day 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from nodegen.reports import build_quality_report, detect_degradation
from nodegen.stages import STAGE_ORDER


def synth(
    days: int, per_day: int, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    n = days * per_day
    gen_ts = pd.Timestamp(start) + pd.to_timedelta(
        np.sort(rng.uniform(0, days * 86400, n)), unit="s"
    )
    cids = np.array([f"c{i:08d}" for i in range(n)], dtype=object)
    stages = np.array([s.value for s in STAGE_ORDER], dtype=object)
    k = len(stages)
    migrate_at = pd.Timestamp(start + timedelta(days=days // 2))
    stage_col = np.tile(stages, n)
    ts = np.repeat(gen_ts.values, k) + np.tile(np.arange(k) * 2_000_000_000, n).astype(
        "timedelta64[ns]"
    )
    ts = pd.DatetimeIndex(ts).tz_localize(UTC) if pd.DatetimeIndex(ts).tz is None else ts
    after = ts >= migrate_at
    llm = np.isin(stage_col, ["prd_analysis", "contract"])
    canary = rng.random(n * k) < 0.1
    model = np.where(
        llm,
        np.where(after | canary, "claude-haiku", "claude-sonnet"),
        np.where(stage_col == "business_logic", "gpt-4o", "builtin"),
    )
    quality = np.clip(rng.normal(0.85, 0.05, n * k), 0, 1)
    cost = np.where(model == "claude-sonnet", 0.01, np.where(model == "claude-haiku", 0.002, 0.0))
    pattern_gen = rng.random(n) < 0.6
    pats = np.where(
        np.repeat(pattern_gen, k) & (stage_col == "intelligence"),
        np.array(
            [json.dumps([f"p{i % 40}", f"p{(i * 7) % 40}"]) for i in range(n * k)], dtype=object
        ),
        "[]",
    )
    stage_frame = pd.DataFrame(
        {
            "correlation_id": np.repeat(cids, k),
            "stage": stage_col,
            "attempt": 1,
            "model_used": model,
            "provider": "synthetic",
            "tokens_input": rng.integers(100, 4000, n * k),
            "tokens_output": rng.integers(50, 2000, n * k),
            "latency_ms": rng.lognormal(6.5, 0.6, n * k),
            "cost_usd": cost,
            "quality_score": quality,
            "success": quality > 0.7,
            "patterns_used": pats,
            "error": None,
            "node_kind": "compute",
            "timestamp": ts,
        }
    )
    success = rng.random(n) < 0.92
    generations = pd.DataFrame(
        {
            "correlation_id": cids,
            "request_id": cids,
            "node_name": "bench_node",
            "node_kind": "compute",
            "domain": "bench",
            "status": np.where(success, "succeeded", "failed"),
            "quality_score": np.clip(rng.normal(0.85, 0.05, n), 0, 1),
            "success": success,
            "total_cost_usd": stage_frame.groupby("correlation_id", sort=False)["cost_usd"]
            .sum()
            .to_numpy(),
            "total_latency_ms": rng.uniform(2000, 30000, n),
            "output_path": None,
            "created_at": gen_ts,
            "finished_at": gen_ts + pd.Timedelta(seconds=20),
        }
    )
    decisions = pd.DataFrame(
        [
            {
                "decision_id": f"d-{stage}",
                "stage": stage,
                "node_kind": None,
                "previous_model": "claude-sonnet",
                "new_model": "claude-haiku",
                "kind": "migrate",
                "reason": "cheaper at equal quality",
                "expected_quality": 0.85,
                "expected_cost_savings_pct": 80.0,
                "evidence": "{}",
                "status": "applied",
                "timestamp": migrate_at,
            }
            for stage in ("prd_analysis", "contract")
        ]
    )
    return stage_frame, generations, decisions


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    stage_frame, generations, decisions = synth(args.days, args.per_day)
    synth_s = time.perf_counter() - t0
    now = generations["created_at"].max().floor("s").to_pydatetime()

    rows = []
    med, worst, _ = timed(
        lambda: build_quality_report(stage_frame, generations, decisions, charts=False), args.repeat
    )
    rows.append(("build_quality_report(charts=False)", med, worst))
    med, worst, report = timed(
        lambda: build_quality_report(stage_frame, generations, decisions), args.repeat
    )
    rows.append(("build_quality_report(charts=True)", med, worst))
    med, worst, markdown = timed(report.to_markdown, args.repeat)
    rows.append(("report.to_markdown()", med, worst))
    med, worst, html = timed(report.to_html, args.repeat)
    rows.append(("report.to_html()", med, worst))
    med, worst, alerts = timed(lambda: detect_degradation(stage_frame, decisions, now), args.repeat)
    rows.append(("detect_degradation(last 8 days)", med, worst))

    print(
        f"data: {args.days} days x {args.per_day} generations/day = {len(generations):,} generations,"
        f" {len(stage_frame):,} stage rows (synthesised in {synth_s:.1f}s); repeat={args.repeat}"
    )
    print(f"{'operation':<38} {'median s':>9} {'max s':>9}")
    print("-" * 58)
    for name, m, w in rows:
        print(f"{name:<38} {m:>9.3f} {w:>9.3f}")
    print("-" * 58)
    md_bytes = len(markdown.encode())
    print(f"{'markdown metadata size':<38} {md_bytes / 1024:>8.1f} KiB")
    print(f"{'html file size':<38} {len(html.encode()) / 1024:>8.1f} KiB")
    for chart in report.charts:
        print(f"{'chart ' + chart.name + ' (png)':<38} {chart.size_bytes / 1024:>8.1f} KiB")
    print(f"alerts on synthetic data: {len(alerts)}")


if __name__ == "__main__":
    main()
