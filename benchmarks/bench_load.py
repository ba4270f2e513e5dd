"""Load: N request files dropped at once into the inbox of a running `dagster dev`.

Starts `dagster dev` the way scripts/run.sh does (temp DAGSTER_HOME with config/dagster.yaml, temp
NODEGEN_* folders), drops N variants of the example requests at once, waits until every run has
finished, then checks the metrics store is exact: N generations, 8 stage_metrics rows per successful
one, no duplicate (correlation_id, stage, attempt), one run per request. Prints wall time (from the
drop, once the webserver answers, to the last finished run), throughput and peak memory (sum of RSS over the dagster process tree, sampled every second). Exit status 1
when a check fails.

    .venv/bin/python -m benchmarks.bench_load --n 200
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

from benchmarks.dagster_dev import PROJECT_ROOT, start_dagster_dev, stop_tree, wait_for_webserver

EXAMPLES = PROJECT_ROOT / "examples" / "requests"
# Examples the offline model cannot implement (they fail honestly) are left out so that every
# request is expected to succeed; the load is about the pipeline, not the catalogue.
OUTSIDE_CATALOGUE = {"podcast_transcribe", "photo_thumbnail", "review_sentiment"}
STAGES = 8


def request_variants(n: int) -> list[tuple[str, dict]]:
    """N distinct requests: the named examples, renamed `<name>_<i>` round-robin."""
    bases = []
    for path in sorted(EXAMPLES.iterdir()):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.stem not in OUTSIDE_CATALOGUE and data.get("name"):
            bases.append(data)
    return [
        (f"load_{i:04d}.json", {**bases[i % len(bases)], "name": f"{bases[i % len(bases)]['name']}_{i}"})
        for i in range(n)
    ]


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class PeakSampler(threading.Thread):
    def __init__(self, pid: int, every_s: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s, self.peak = pid, every_s, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.every_s):
            self.peak = max(self.peak, tree_rss(self.pid))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _runs(dagster_home: Path) -> list:
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        return list(instance.get_runs(RunsFilter(job_name="generate_node")))


def check_store(home: Path, n: int) -> dict:
    """The exactness checks on the metrics store; returns counts and a list of problems."""
    from nodegen.store import MetricsStore

    store = MetricsStore(f"sqlite:///{home / 'metrics.db'}")
    generations = store.generations_frame()
    rows = store.stage_metrics_frame()
    store.dispose()
    problems = []
    succeeded = generations[generations.status == "succeeded"]
    if len(generations) != n:
        problems.append(f"{len(generations)} generations for {n} requests")
    if generations.request_id.nunique() != len(generations):
        problems.append("a request was generated twice")
    if rows.duplicated(["correlation_id", "stage", "attempt"]).any():
        problems.append("duplicate (correlation_id, stage, attempt) rows")
    per_generation = rows.groupby("correlation_id").size()
    wrong = [c for c in succeeded.correlation_id if per_generation.get(c, 0) != STAGES]
    if wrong:
        problems.append(f"{len(wrong)} successful generations without exactly {STAGES} rows")
    if len(succeeded) != n:
        problems.append(f"{n - len(succeeded)} generations did not succeed")
    return {
        "generations": len(generations),
        "succeeded": len(succeeded),
        "stage_metrics_rows": len(rows),
        "expected_rows": STAGES * len(succeeded),
        "problems": problems,
    }


def run_load(n: int, workdir: Path, timeout_s: float) -> dict:
    inbox, staging, out, home = (workdir / "inbox", workdir / "staging", workdir / "out",
                                 workdir / "nodegen_home")
    inbox.mkdir()
    staging.mkdir()
    process, port, dagster_home = start_dagster_dev(workdir, home=home, inbox=inbox, out=out)
    sampler = PeakSampler(process.pid)
    sampler.start()
    try:
        wait_for_webserver(process, port, workdir / "dagster_dev.log")
        for name, request in request_variants(n):
            (staging / name).write_text(json.dumps(request), encoding="utf-8")
        started = time.monotonic()
        for path in staging.iterdir():  # each drop is an atomic rename into the inbox
            os.rename(path, inbox / path.name)
        deadline = started + timeout_s
        runs: list = []
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("dagster dev exited; see " + str(workdir / "dagster_dev.log"))
            runs = _runs(dagster_home)
            if len(runs) >= n and all(r.is_finished for r in runs):
                break
            time.sleep(3)
        wall_s = time.monotonic() - started
    finally:
        stop_tree(process, str(workdir))
        sampler.stop()
    result = {
        "requests": n,
        "wall_s": round(wall_s, 1),
        "requests_per_min": round(60 * n / wall_s, 2),
        "peak_rss_mb": round(sampler.peak / 2**20, 1),
        "runs": len(runs),
        "runs_succeeded": sum(r.is_success for r in runs),
        "nodes_written": len(list(out.glob("node_*/v1_0_0/node.py"))),
        **check_store(home, n),
    }
    if len(runs) != n or result["runs_succeeded"] != n:
        result["problems"].append(f"{result['runs_succeeded']}/{len(runs)} runs succeeded of {n}")
    if result["nodes_written"] != n:
        result["problems"].append(f"{result['nodes_written']} nodes written of {n}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="request files dropped at once")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the runs")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="nodegen-load-"))
    try:
        result = run_load(args.n, workdir, args.timeout)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
    else:
        width = max(len(k) for k in result)
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
    return 0 if not result["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
