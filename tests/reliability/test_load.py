"""Load, small: 20 request files dropped at once into the inbox of a running `dagster dev`
(benchmarks/bench_load.py runs the same with N=200). Every request becomes exactly one successful
run, one generation and 8 stage_metrics rows, with no duplicates."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

N = 20


@pytest.mark.timeout(1800)
def test_twenty_requests_dropped_at_once_are_all_generated_exactly_once() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_load", "--n", str(N),
         "--timeout", "1500", "--json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1700,
    )
    assert done.stdout.strip(), done.stderr[-5000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["problems"] == [], result
    assert done.returncode == 0
    assert result["runs"] == result["runs_succeeded"] == N
    assert result["generations"] == result["succeeded"] == N
    assert result["stage_metrics_rows"] == result["expected_rows"] == 8 * N
    assert result["nodes_written"] == N
    assert result["peak_rss_mb"] > 0
