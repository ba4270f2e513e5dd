"""The README's run command for real: `scripts/run.sh` starts `dagster dev` (webserver + daemon) on a
fresh DAGSTER_HOME; the sensor picks up the example requests and their nodes get written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from dagster import DagsterInstance, RunsFilter

from benchmarks.dagster_dev import free_port, stop_tree

from .conftest import EXAMPLES, PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DEADLINE_S = 300
# One request of each kind keeps the test short; the run command itself drops every example.
STARTERS = ["exchange_rates.json", "order_stats.yaml", "order_lifecycle.json", "etl_pipeline.json"]


def test_run_command_generates_the_example_nodes(tmp_path: Path) -> None:
    port = free_port()
    examples = tmp_path / "examples"
    examples.mkdir()
    for name in STARTERS:
        shutil.copy(EXAMPLES / name, examples / name)
    out = tmp_path / "generated_nodes"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "NODEGEN_HOME": str(tmp_path / "nodegen_home"),
        "NODEGEN_INBOX": str(tmp_path / "inbox"),
        "NODEGEN_OUTPUT_DIR": str(out),
        "DAGSTER_PORT": str(port),
        "NODEGEN_EXAMPLES": str(examples),
    }
    log = (tmp_path / "dagster_dev.log").open("wb")
    process = subprocess.Popen(
        [str(PROJECT_ROOT / "scripts" / "run.sh")], cwd=PROJECT_ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    expected = len(STARTERS)
    try:
        deadline = time.monotonic() + DEADLINE_S
        written: list[Path] = []
        while time.monotonic() < deadline and process.poll() is None:
            written = sorted(out.glob("node_*/v1_0_0/node.py"))
            if len(written) == expected:
                break
            time.sleep(2)
        assert process.poll() is None, (tmp_path / "dagster_dev.log").read_text()[-5000:]
        assert len(written) == expected, (tmp_path / "dagster_dev.log").read_text()[-5000:]

        # The webserver answers, and the instance it serves holds one partition and one
        # successful run per request.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=10) as reply:
            assert "dagster_webserver_version" in json.loads(reply.read())
        with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            assert len(instance.get_dynamic_partitions("requests")) == expected
            runs = instance.get_runs(RunsFilter(job_name="generate_node"))
            assert len(runs) == expected
            deadline = time.monotonic() + 60  # the last run may still be closing
            while time.monotonic() < deadline and not all(r.is_success for r in runs):
                time.sleep(1)
                runs = instance.get_runs(RunsFilter(job_name="generate_node"))
            assert all(r.is_success for r in runs), [r.status for r in runs]
        processed = list((tmp_path / "inbox" / "processed").iterdir())
        assert len(processed) == expected
    finally:
        stop_tree(process, str(tmp_path))
        log.close()
    assert process.poll() is not None
    leftovers = [p.pid for p in psutil.process_iter(["cmdline"])
                 if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    assert not leftovers, f"processes left running: {leftovers}"
