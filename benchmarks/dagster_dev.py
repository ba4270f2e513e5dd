"""Running `dagster dev` as a child process, for the tests and benchmarks that need a real one:
starting it on a fresh instance, a free port, waiting for the webserver, and stopping the whole
process tree by id.

`dagster dev` started in the background ignores SIGTERM without job control, and the webserver may
respawn a code server outside the process group while it shuts down, so stopping it means
signalling the group, every descendant and any process whose command line names the caller's
temp folder, escalating to SIGKILL until nothing is left.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dagster_dev(workdir: Path, *, home: Path, inbox: Path, out: Path) -> tuple[subprocess.Popen, int, Path]:
    """`dagster dev` on a fresh DAGSTER_HOME under `workdir` with `config/dagster.yaml` (as
    scripts/run.sh starts it) and the given NODEGEN_* folders; its output goes to
    `workdir/dagster_dev.log`. Returns the process, its port and the DAGSTER_HOME."""
    dagster_home = workdir / "dagster_home"
    dagster_home.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "config" / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NODEGEN_")},
           "DAGSTER_HOME": str(dagster_home), "NODEGEN_HOME": str(home),
           "NODEGEN_INBOX": str(inbox), "NODEGEN_OUTPUT_DIR": str(out), "HF_HUB_OFFLINE": "1"}
    port = free_port()
    with (workdir / "dagster_dev.log").open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [str(PROJECT_ROOT / ".venv" / "bin" / "dagster"), "dev", "-h", "127.0.0.1", "-p",
             str(port), "-w", "workspace.yaml"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return process, port, dagster_home


def wait_for_webserver(process: subprocess.Popen, port: int, log: Path, timeout_s: float = 300) -> None:
    """Return once the webserver answers (the instance storage exists by then)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"dagster dev did not answer on port {port} within {timeout_s:.0f}s")


def stop_tree(process: subprocess.Popen, marker: str) -> None:
    """Stop `process` (started with start_new_session=True), its descendants and any process whose
    command line contains `marker`."""

    def targets() -> list[psutil.Process]:
        found: dict[int, psutil.Process] = {}
        try:
            found.update({p.pid: p for p in psutil.Process(process.pid).children(recursive=True)})
        except psutil.NoSuchProcess:
            pass
        for candidate in psutil.process_iter(["cmdline"]):
            if marker in " ".join(candidate.info["cmdline"] or []):
                found[candidate.pid] = candidate
        return list(found.values())

    for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGKILL, signal.SIGKILL):
        alive = targets()
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        for child in alive:
            try:
                child.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=15)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(1)
        if not targets():
            return
