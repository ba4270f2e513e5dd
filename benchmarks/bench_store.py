"""Metrics store (issue 8): summary latency, write throughput and CSV import, SQLite and PostgreSQL.

For each backend (SQLite in a temp file; PostgreSQL in its own schema, dropped at the end):

1. load ``--rows`` stage-metric rows (spread over ``--days`` days, 8 stages x 4 models) with
   ``insert_stage_rows`` and time ``stage_summary`` (24 h and 7 d windows) on them;
2. write throughput of ``record_stage_call`` (one transaction per call, as the pipeline does) from
   1 process and from ``--procs`` processes, each with its own MetricsStore, into that table;
3. import a ``--import-rows`` CSV with ``import_metrics`` into a fresh store, then import it again
   (which must load 0 new rows).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_store.py --rows 1000000 --import-rows 1000000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from nodegen.importer import import_metrics
from nodegen.records import GenerationMetrics
from nodegen.stages import Stage
from nodegen.store import MetricsStore, normalize_url

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
STAGES = [str(s) for s in Stage]
MODELS = ["claude-haiku", "claude-sonnet", "gpt-4o-mini", "local-rules"]
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def synthetic_frame(n: int, days: float, seed: int = 0) -> pd.DataFrame:
    """n stage calls, uniformly spread over the `days` before NOW, keys unique."""
    rng = np.random.default_rng(seed)
    calls = np.arange(n)
    stage = calls % len(STAGES)
    micros = rng.integers(0, int(days * 86400e6), n)
    return pd.DataFrame({
        "correlation_id": [f"g{i // len(STAGES)}" for i in calls],
        "stage": np.array(STAGES, dtype=object)[stage],
        "attempt": 1,
        "model_used": np.array(MODELS, dtype=object)[rng.integers(0, len(MODELS), n)],
        "provider": "anthropic",
        "node_kind": "compute",
        "tokens_input": rng.integers(50, 3000, n),
        "tokens_output": rng.integers(20, 2000, n),
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "latency_ms": rng.gamma(2.0, 400.0, n).round(3),
        "cost_usd": rng.uniform(0, 0.02, n).round(6),
        "quality_score": rng.uniform(0.6, 1.0, n).round(4),
        "success": rng.random(n) < 0.93,
        "patterns_used": "[]",
        "error": None,
        "timestamp": pd.Timestamp(NOW) - pd.to_timedelta(micros, unit="us"),
    })


def as_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame as insert_stage_rows rows (Python scalars, aware datetimes)."""
    rows = frame.to_dict("records")
    for row in rows:
        row["timestamp"] = row["timestamp"].to_pydatetime()
        row["success"] = bool(row["success"])
    return rows


def call(worker: int, j: int) -> GenerationMetrics:
    return GenerationMetrics(
        correlation_id=f"w{worker}-{j}", stage=STAGES[j % len(STAGES)], model_used=MODELS[j % 4],
        provider="anthropic", tokens_input=500, tokens_output=300, latency_ms=800.0,
        cost_usd=0.004, quality_score=0.9, success=True, timestamp=NOW - timedelta(minutes=j),
    )


def writer(url: str, schema: str | None, worker: int, calls: int, barrier: Any, out: Any) -> None:
    """Spawned process: its own store, one transaction per record_stage_call."""
    store = MetricsStore(url, schema=schema)
    store.record_stage_call(call(worker, -1))  # connect before the clock starts
    barrier.wait()
    start = time.time()
    new = sum(store.record_stage_call(call(worker, j)) for j in range(calls))
    out.put((start, time.time(), new))
    store.dispose()


def write_throughput(url: str, schema: str | None, procs: int, calls: int, tag: int) -> float:
    """Rows per second over all processes, from the common start to the last finish."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    workers = [
        ctx.Process(target=writer, args=(url, schema, tag * 100 + w, calls, barrier, out))
        for w in range(procs)
    ]
    for p in workers:
        p.start()
    results = [out.get() for _ in workers]
    for p in workers:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"writer process failed with exit code {p.exitcode}")
    new = sum(r[2] for r in results)
    if new != procs * calls:
        raise RuntimeError(f"expected {procs * calls} new rows, got {new}")
    return new / (max(r[1] for r in results) - min(r[0] for r in results))


def open_store(backend: str, workdir: Path, name: str, pg_url: str) -> tuple[MetricsStore, str, str | None]:
    if backend == "sqlite":
        url = f"sqlite:///{workdir / name}.db"
        store, schema = MetricsStore(url), None
    else:
        url, schema = pg_url, f"bench_{uuid.uuid4().hex[:10]}"
        store = MetricsStore(url, schema=schema)
    store.upgrade()
    return store, url, schema


def drop(store: MetricsStore) -> None:
    if store.schema is not None:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')
    store.dispose()


def bench_backend(backend: str, args: argparse.Namespace, workdir: Path,
                  frame: pd.DataFrame, rows: list[dict[str, Any]], csv_path: Path | None) -> list[list[str]]:
    table: list[list[str]] = []
    store, url, schema = open_store(backend, workdir, "summary", args.pg_url)
    try:
        start = time.perf_counter()
        loaded = store.insert_stage_rows(rows)
        seconds = time.perf_counter() - start
        table.append([backend, f"bulk load (insert_stage_rows) {loaded:,} rows",
                      f"{seconds:.1f} s", f"{loaded / seconds:,.0f} rows/s"])
        if backend == "postgresql":
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE stage_metrics")
        times, summary = [], None
        for _ in range(args.repeat):
            start = time.perf_counter()
            summary = store.stage_summary(NOW)
            times.append(time.perf_counter() - start)
        in_7d = int((frame["timestamp"] > pd.Timestamp(NOW) - pd.Timedelta(days=7)).sum())
        got = int(summary.loc[summary["window"] == "7d", "samples"].sum())
        if got != in_7d:
            raise RuntimeError(f"{backend}: 7d summary counts {got} rows, expected {in_7d}")
        table.append([backend, f"stage_summary over {len(rows):,} rows ({len(summary)} groups)",
                      f"{statistics.median(times):.2f} s median of {args.repeat}",
                      f"min {min(times):.2f} s, max {max(times):.2f} s"])
        for procs in (1, args.procs):
            rate = write_throughput(url, schema, procs, args.calls, tag=procs)
            table.append([backend, f"record_stage_call, {procs} process(es) x {args.calls} calls",
                          "", f"{rate:,.0f} rows/s"])
    finally:
        drop(store)
    if csv_path is not None:
        store, _, _ = open_store(backend, workdir, "import", args.pg_url)
        try:
            start = time.perf_counter()
            first = import_metrics(store, csv_path)
            seconds = time.perf_counter() - start
            start = time.perf_counter()
            second = import_metrics(store, csv_path)
            again = time.perf_counter() - start
            table.append([backend, f"import_metrics CSV {first.total_rows:,} rows",
                          f"{seconds:.1f} s",
                          f"{first.loaded / seconds:,.0f} rows/s (loaded {first.loaded:,}, "
                          f"rejected {first.rejected})"])
            table.append([backend, "import_metrics same CSV again", f"{again:.1f} s",
                          f"loaded {second.loaded} new, {second.duplicates:,} duplicates"])
        finally:
            drop(store)
    return table


def pg_reachable(url: str) -> bool:
    try:
        engine = sa.create_engine(normalize_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for the summary")
    parser.add_argument("--days", type=float, default=7.5, help="days the rows are spread over")
    parser.add_argument("--repeat", type=int, default=3, help="stage_summary runs")
    parser.add_argument("--calls", type=int, default=500, help="record_stage_call calls per process")
    parser.add_argument("--procs", type=int, default=8, help="parallel writer processes")
    parser.add_argument("--import-rows", type=int, default=1_000_000, help="0 skips the import")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()

    backends = args.backends.split(",")
    if "postgresql" in backends and not pg_reachable(args.pg_url):
        print(f"PostgreSQL at {args.pg_url} unreachable: skipped")
        backends.remove("postgresql")
    table = []
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        workdir = Path(tmp)
        start = time.perf_counter()
        frame = synthetic_frame(args.rows, args.days)
        rows = as_rows(frame)
        print(f"generated {len(rows):,} rows in {time.perf_counter() - start:.1f} s")
        csv_path = None
        if args.import_rows:
            csv_path = workdir / "metrics.csv"
            data = frame if args.import_rows == args.rows else synthetic_frame(args.import_rows,
                                                                               args.days, seed=1)
            data.assign(timestamp=data["timestamp"].map(lambda t: t.isoformat())).to_csv(
                csv_path, index=False)
        for backend in backends:
            table.extend(bench_backend(backend, args, workdir, frame, rows, csv_path))
            print(f"{backend} done", flush=True)
    print()
    print("| backend | measurement | time | rate / detail |")
    print("|---|---|---|---|")
    for line in table:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
