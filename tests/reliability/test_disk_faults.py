"""The output folder on a full or read-only disk: writing fails with a clear error, the generation is
closed as failed with that error, and no half-written node is left (a real tmpfs when this process
may mount one, and always a per-file size limit, RLIMIT_FSIZE, in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodegen.artifacts import NodeKind, NodeSource
from nodegen.errors import WriteError
from nodegen.pipeline import generate
from nodegen.request import load_request_file
from nodegen.services import PipelineServices
from nodegen.settings import Settings
from nodegen.writer import write_node
from tests.conftest import EXAMPLES

SIZE_KB = 256


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A tiny tmpfs of its own (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_KB}k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(folder: Path, leave_bytes: int) -> None:
    """Fill the file system of `folder` until about `leave_bytes` are free."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    (folder / "filler.bin").write_bytes(b"\0" * max(0, free - leave_bytes))


def _no_half_node(out: Path) -> None:
    versions = [p for p in out.rglob("v*_*_*") if p.is_dir()]
    partial = [p for p in out.rglob("*.partial")]
    manifests = list(out.rglob("node.manifest.yaml"))
    assert versions == [] and partial == [] and manifests == [], (versions, partial, manifests)


def _source(kb: int) -> NodeSource:
    files = {f"part_{i}.py": "x = 1\n" * (1024 // 6 * 16) for i in range(kb // 16)}
    return NodeSource(node_dir_name="node_rates_effect", files={"__init__.py": "", **files})


def test_full_disk_fails_clearly_and_leaves_no_half_node(tmpfs: Path) -> None:
    out = tmpfs / "out"
    out.mkdir()
    _fill(tmpfs, 32 * 1024)
    with pytest.raises(WriteError, match="No space left on device") as info:
        write_node(out, _source(128), name="rates", kind=NodeKind.EFFECT)
    assert "cannot write node node_rates_effect under" in str(info.value)
    _no_half_node(out)
    (tmpfs / "filler.bin").unlink()  # space again: the same node now writes as v1_0_0
    written = write_node(out, _source(128), name="rates", kind=NodeKind.EFFECT)
    assert Path(written.version_dir).name == "v1_0_0"


def test_read_only_output_fails_clearly(tmpfs: Path) -> None:
    out = tmpfs / "out"
    out.mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    with pytest.raises(WriteError, match="Read-only file system"):
        write_node(out, _source(16), name="rates", kind=NodeKind.EFFECT)
    _no_half_node(out)


def test_generation_on_a_full_disk_is_closed_as_failed(nodegen_env: Settings, tmpfs: Path) -> None:
    out = tmpfs / "out"
    out.mkdir()
    services = PipelineServices.from_settings(
        nodegen_env.model_copy(update={"output_dir": out}), with_patterns=False
    )
    _fill(tmpfs, 8 * 1024)
    summary = generate(services, load_request_file(EXAMPLES / "exchange_rates.json"))

    assert not summary.success and summary.node_path is None
    assert "No space left on device" in (summary.error or "")
    _no_half_node(out)
    record = services.store.generation(summary.correlation_id)
    assert record is not None and record.status == "failed" and "No space left" in (record.error or "")
    rows = services.store.stage_metrics_frame()
    writing = rows[(rows.correlation_id == summary.correlation_id) & (rows.stage == "written_node")]
    assert len(writing) == 1 and not writing.iloc[0].success
    assert "No space left" in writing.iloc[0].error


WRITE_UNDER_FSIZE = """
import json, resource, sys
from pathlib import Path
from nodegen.artifacts import NodeKind, NodeSource
from nodegen.errors import WriteError
from nodegen.writer import write_node
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
source = NodeSource(node_dir_name="node_rates_effect",
                    files={"__init__.py": "", "node.py": "x = 1\\n" * 4000})
try:
    write_node(Path(sys.argv[1]), source, name="rates", kind=NodeKind.EFFECT)
except WriteError as exc:
    print(json.dumps({"error": str(exc)}))
"""


def test_file_size_limit_fails_clearly_without_mounting(tmp_path: Path) -> None:
    """Where no tmpfs can be mounted, RLIMIT_FSIZE makes any file over 4 KB fail to write."""
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", WRITE_UNDER_FSIZE, str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error.startswith("cannot write node node_rates_effect under") and "File too large" in error
    _no_half_node(out)
    assert not list((out / "node_rates_effect").iterdir())
