"""Crash safety: a generation SIGKILLed in the middle of validation, and a node SIGKILLed in the
middle of being written. No partial node is ever visible under the output root, the request can be
run again to success, and the metrics stay consistent: the recovery sweep closes the killed generation
as failed once it has been idle long enough, and removes the dead writer's hidden staging folder."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import psutil
import pytest

from nodegen.artifacts import NodeKind, NodeSource
from nodegen.store import MetricsStore
from nodegen.writer import remove_stale_partials, write_node
from tests.conftest import EXAMPLES, PROJECT_ROOT

pytestmark = pytest.mark.slow

NODEGEN = str(PROJECT_ROOT / ".venv" / "bin" / "nodegen")
REQUEST = EXAMPLES / "exchange_rates.json"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NODEGEN_")}
    return {**env, "NODEGEN_HOME": str(tmp_path / "home"),
            "NODEGEN_OUTPUT_DIR": str(tmp_path / "out"), "HF_HUB_OFFLINE": "1"}


def _stages_recorded(db: Path) -> set[str]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return {row[0] for row in conn.execute("SELECT stage FROM stage_metrics")}
    except sqlite3.Error:  # not created yet, or busy
        return set()


def _wait_gone(pids: list[psutil.Process], timeout_s: float) -> list[int]:
    """Wait for the killed process's helpers (gates, sandbox) to end on their own limits."""
    _, alive = psutil.wait_procs(pids, timeout=timeout_s)
    for proc in alive:  # over the limit: do not leave them behind, but report them
        proc.kill()
    return [p.pid for p in alive]


def _visible_versions(out: Path) -> list[Path]:
    return [p for p in out.glob("node_*/v*") if p.is_dir()]


def test_generation_killed_mid_validation_leaves_no_node_and_reruns(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = tmp_path / "home" / "metrics.db"
    command = [NODEGEN, "generate", str(REQUEST), "--no-patterns", "--json"]
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while "generated_code" not in _stages_recorded(db):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the generation never reached validation"
            time.sleep(0.02)
        helpers = psutil.Process(proc.pid).children(recursive=True)
        os.kill(proc.pid, signal.SIGKILL)  # what the OOM killer or a lost machine does
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert _wait_gone(helpers, timeout_s=90) == []

    out = tmp_path / "out"
    assert "validation_report" not in _stages_recorded(db)  # killed inside validation
    assert _visible_versions(out) == [] and not list(out.rglob("node.py"))
    store = MetricsStore(f"sqlite:///{db}")
    (killed,) = store.generations_frame().itertuples()
    assert killed.status == "running" and pd.isna(killed.finished_at)  # nobody closed it
    idle = timedelta(minutes=30)
    assert store.fail_abandoned_generations(idle) == []  # too recent: it may still be working
    later = datetime.now(UTC) + idle + timedelta(minutes=1)
    assert store.fail_abandoned_generations(idle, now=later) == [killed.correlation_id]

    rerun = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    summary = json.loads(rerun.stdout.splitlines()[-1])
    assert summary["success"] and Path(summary["node_path"]).name == "v1_0_0"
    generations = store.generations_frame().set_index("correlation_id")
    assert generations.loc[killed.correlation_id, "status"] == "failed"
    assert generations.loc[killed.correlation_id, "error"].startswith("abandoned:")
    assert generations.loc[summary["correlation_id"], "status"] == "succeeded"
    frame = store.stage_metrics_frame()
    assert not frame.duplicated(["correlation_id", "stage", "attempt"]).any()
    assert len(frame[frame.correlation_id == summary["correlation_id"]]) == 8
    assert len(frame[frame.correlation_id == killed.correlation_id]) == 5  # up to generated_code
    store.dispose()


WRITE_BIG_NODE = """
import sys
from pathlib import Path
from nodegen.artifacts import NodeKind, NodeSource
from nodegen.writer import remove_stale_partials, write_node
files = {f"data/part_{i:04d}.py": "x = 1\\n" * 20000 for i in range(int(sys.argv[2]))}
write_node(Path(sys.argv[1]), NodeSource(node_dir_name="node_big_effect", files=files),
           name="big", kind=NodeKind.EFFECT)
"""


def test_node_killed_mid_write_is_never_visible_and_rewrites(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", WRITE_BIG_NODE, str(out), "600"],
                            cwd=PROJECT_ROOT, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not [p for p in out.glob("node_big_effect/.*.partial/data/*")]:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()

    node_root = out / "node_big_effect"
    staged = list(node_root.glob(".*.partial"))
    assert len(staged) == 1 and len(list(staged[0].rglob("*.py"))) < 600  # cut off mid-write
    assert _visible_versions(out) == []  # readers see nothing: the staging folder is hidden
    assert not (node_root / "node.manifest.yaml").exists()
    assert remove_stale_partials(out) == []  # young: could be a write in progress
    assert remove_stale_partials(out, older_than_s=0) == staged
    assert list(node_root.glob(".*")) == []

    files = {"__init__.py": "", "node.py": "x = 1\n"}
    written = write_node(out, NodeSource(node_dir_name="node_big_effect", files=files),
                         name="big", kind=NodeKind.EFFECT)
    assert Path(written.version_dir).name == "v1_0_0"
    assert sorted(p.name for p in Path(written.version_dir).iterdir()) == ["__init__.py", "node.py"]
