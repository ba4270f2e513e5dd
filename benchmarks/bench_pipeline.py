"""Wall time per generation, split into stages, and drop-to-disk latency through `dagster dev`.

1. In process (`nodegen generate` path): every example request on a fresh home, `local-rules`,
   the real pattern library, gates and sandbox. Per stage p50/p95 from the recorded latency_ms,
   the total per generation, and the platform overhead = total minus the model stages' own time
   (prd_analysis, contract, business_logic and refinement tries by a model).
2. Through Dagster: `dagster dev` on a temp instance (as scripts/run.sh starts it); requests are
   dropped one at a time into the inbox and timed until the node's node.py is on disk.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_pipeline.py [--drops 5] [--skip-dagster]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_load import OUTSIDE_CATALOGUE, PROJECT_ROOT, request_variants
from benchmarks.dagster_dev import start_dagster_dev, stop_tree, wait_for_webserver
from nodegen.pipeline import generate
from nodegen.request import load_request_file
from nodegen.services import PipelineServices
from nodegen.settings import Settings
from nodegen.stages import Stage

EXAMPLES = PROJECT_ROOT / "examples" / "requests"
MODEL_STAGES = {"prd_analysis", "contract", "business_logic"}


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def in_process(workdir: Path) -> None:
    settings = Settings.from_env(
        home=workdir / "home", database_url=f"sqlite:///{workdir / 'home' / 'metrics.db'}",
        lancedb_uri=str(workdir / "home" / "lancedb"), output_dir=workdir / "out",
    )
    services = PipelineServices.from_settings(settings)
    files = sorted(EXAMPLES.iterdir())
    generate(services, load_request_file(files[0]))  # warm-up: embedder, imports
    per_stage: dict[str, list[float]] = {s.value: [] for s in Stage}
    totals, overheads, wall = [], [], []
    succeeded = 0
    for path in files:
        started = time.perf_counter()
        summary = generate(services, load_request_file(path))
        wall.append((time.perf_counter() - started) * 1000)
        succeeded += summary.success
        stage_ms: dict[str, float] = {}
        model_ms = 0.0
        for row in summary.stages:
            stage_ms[row["stage"]] = stage_ms.get(row["stage"], 0.0) + row["latency_ms"]
            if row["stage"] in MODEL_STAGES or (
                row["stage"] == "refined_code" and row["model"] != "no-refinement-needed"
            ):
                model_ms += row["latency_ms"]
        for stage, ms in stage_ms.items():
            per_stage[stage].append(ms)
        totals.append(sum(stage_ms.values()))
        overheads.append(wall[-1] - model_ms)
    print(f"\nIn process: {len(files)} example requests ({succeeded} succeeded; "
          f"{len(OUTSIDE_CATALOGUE)} are outside the catalogue by design)\n")
    print("| stage | p50 ms | p95 ms |\n|---|---|---|")
    for stage, values in per_stage.items():
        print(f"| {stage} | {_pct(values, 50):.1f} | {_pct(values, 95):.1f} |")
    print(f"| **sum of stages** | {_pct(totals, 50):.1f} | {_pct(totals, 95):.1f} |")
    print(f"| **wall per generation** | {_pct(wall, 50):.1f} | {_pct(wall, 95):.1f} |")
    print(f"| **platform overhead (wall - model time)** | {_pct(overheads, 50):.1f} | "
          f"{_pct(overheads, 95):.1f} |")


def through_dagster(workdir: Path, drops: int) -> None:
    inbox, out, home = workdir / "inbox", workdir / "out_dagster", workdir / "home_dagster"
    inbox.mkdir()
    process, port, _ = start_dagster_dev(workdir, home=home, inbox=inbox, out=out)
    latencies: list[float] = []
    try:
        wait_for_webserver(process, port, workdir / "dagster_dev.log")
        for name, request in request_variants(drops):
            staged = workdir / name
            staged.write_text(json.dumps(request), encoding="utf-8")
            started = time.monotonic()
            os.rename(staged, inbox / name)
            before = set(out.glob("node_*/v*/node.py"))
            while time.monotonic() - started < 300:
                if set(out.glob("node_*/v*/node.py")) - before:
                    latencies.append(time.monotonic() - started)
                    break
                time.sleep(0.1)
    finally:
        stop_tree(process, str(workdir))
    print(f"\nDrop-to-disk through dagster dev, {len(latencies)}/{drops} requests dropped one at a"
          " time (sensor interval 1 s, settle 0.5 s, dequeue every 1 s, one run process per request)\n")
    print("| p50 s | p95 s | mean s | max s |\n|---|---|---|---|")
    print(f"| {_pct(latencies, 50):.2f} | {_pct(latencies, 95):.2f} | "
          f"{statistics.fmean(latencies) if latencies else float('nan'):.2f} | "
          f"{max(latencies, default=float('nan')):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=5)
    parser.add_argument("--skip-dagster", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="bench_pipeline_") as tmp:
        in_process(Path(tmp))
        if not args.skip_dagster:
            through_dagster(Path(tmp), args.drops)


if __name__ == "__main__":
    main()
