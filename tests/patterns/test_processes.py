"""The pattern store across processes: what one process writes another reads, and two processes
appending at the same time lose nothing (lock file + retried Lance commits)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nodegen.artifacts import IntelligenceRequest, NodeKind
from nodegen.patterns import Embedder, PatternStore

from .conftest import record

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Writer process: load the real embedder, wait for the go file (so writers overlap), then add
# `count` patterns, each in its own domain so the near-duplicate rule cannot merge them.
WRITER = """
import sys, time
from pathlib import Path
from nodegen.patterns import Embedder, PatternRecord, PatternStore
uri, writer, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
store = PatternStore(uri, Embedder.load())
Path(go.parent / f"ready-{writer}").touch()
while not go.exists():
    time.sleep(0.01)
topics = ["weather for a city", "exchange rates", "word counts", "order status", "slug of a title"]
for i in range(count):
    result = store.add(PatternRecord(
        correlation_id=f"{writer}-{i}", node_type="compute", domain=f"{writer}_{i}",
        node_name=f"{writer}_{i}", prompt=f"Writer {writer} pattern {i}: {topics[i % len(topics)]}",
        quality_score=0.97))
    assert result.stored, result
print("done", writer)
"""


def _writer(uri: Path, writer: str, count: int, go: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(uri), writer, str(count), str(go)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> None:
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out


def _wait_ready(folder: Path, writers: list[str]) -> None:
    deadline = time.monotonic() + 240
    while not all((folder / f"ready-{w}").exists() for w in writers):
        assert time.monotonic() < deadline, "writers did not start"
        time.sleep(0.05)


@pytest.mark.slow
def test_what_another_process_wrote_is_read_here(tmp_path: Path, embedder: Embedder) -> None:
    uri = tmp_path / "lancedb"
    go = tmp_path / "go"
    go.touch()
    _finish(_writer(uri, "w", 5, go))

    store = PatternStore(uri, embedder)
    assert store.count() == 5
    found = store.search(IntelligenceRequest(
        correlation_id="q", prompt="currency exchange rates", node_kind=NodeKind.COMPUTE, top_k=1,
    ))
    assert [h.pattern_id for h in found.patterns_found] == ["w-1"]
    # And the other way round: this process adds, a fresh handle on the same folder sees it.
    store.add(record("here", "Validate a list of email addresses.", domain="here"))
    assert PatternStore(uri, embedder).existing_ids(["here", "w-4"]) == {"here", "w-4"}


@pytest.mark.slow
def test_concurrent_appends_from_two_processes_lose_nothing(tmp_path: Path, embedder: Embedder) -> None:
    uri = tmp_path / "lancedb"
    PatternStore(uri, embedder)  # create the table first, as the pipeline does
    go = tmp_path / "go"
    procs = [_writer(uri, w, 15, go) for w in ("a", "b")]
    _wait_ready(tmp_path, ["a", "b"])
    go.touch()
    for proc in procs:
        _finish(proc)

    store = PatternStore(uri, embedder)
    expected = {f"{w}-{i}" for w in ("a", "b") for i in range(15)}
    assert store.count() == 30
    assert store.existing_ids(sorted(expected)) == expected
