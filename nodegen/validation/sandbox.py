"""Run untrusted generated code in a subprocess with limits (see docs/sandbox.md).

Isolation is detected once per process and reported in `SandboxResult.isolation`:
- "netns+pidns+mountns-ro+nocaps+pids-cgroup+rlimits": full (root with a writable pids cgroup)
- "netns+pidns+mountns-ro+nocaps+rlimit-nproc+rlimits": full, fork cap by RLIMIT_NPROC (non-root)
- "rlimits-only": no namespaces available; only rlimits, a scrubbed environment and process-group kill
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

LAUNCHER = Path(__file__).with_name("_launcher.py")
SETUP_FAILED = 125
_ENV_PASS = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8")
_CGROUP_V1_PIDS = Path("/sys/fs/cgroup/pids")


class SandboxError(RuntimeError):
    """The sandbox could not be set up (bad input, or isolation that was detected now fails)."""


class SandboxLimits(BaseModel):
    """Per-run limits. memory_mb caps the address space (RLIMIT_AS), not resident memory."""

    model_config = ConfigDict(extra="forbid")

    wall_s: float = Field(default=30.0, gt=0, le=3600)
    cpu_s: int = Field(default=30, gt=0, le=3600)
    memory_mb: int = Field(default=1024, ge=64, le=65536)
    output_bytes: int = Field(
        default=1_000_000, ge=1024, description="stdout+stderr cap; the run is killed beyond it"
    )
    file_bytes: int = Field(default=64 * 1024 * 1024, ge=1024, description="RLIMIT_FSIZE per file")
    max_processes: int = Field(default=64, ge=4, le=4096, description="tasks (processes+threads)")


class SandboxResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    killed_by: str | None = Field(
        default=None, description="timeout|cpu|memory|output|file_size|signal:NAME|None"
    )
    duration_ms: float
    isolation: str
    output_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.killed_by is None


class _Isolation(BaseModel):
    mode: str  # "full" | "rlimits"
    cgroup_root: str | None = None
    label: str


_isolation: _Isolation | None = None
_iso_lock = threading.Lock()


def _cgroup_root() -> Path | None:
    """A writable cgroup-v1 pids hierarchy for fork-bomb defence (root only, where mounted)."""
    if os.geteuid() != 0 or not (_CGROUP_V1_PIDS / "cgroup.procs").exists():
        return None
    root = _CGROUP_V1_PIDS / "nodegen-sandbox"
    try:
        root.mkdir(exist_ok=True)
        probe = root / f"probe-{uuid.uuid4().hex[:8]}"
        probe.mkdir()
        ok = (probe / "pids.max").exists()
        probe.rmdir()
        return root if ok else None
    except OSError:
        return None


def detect_isolation(refresh: bool = False) -> str:
    """Probe once which isolation this machine allows; returns its label."""
    return _detect(refresh).label


def _detect(refresh: bool = False) -> _Isolation:
    global _isolation
    with _iso_lock:
        if _isolation is not None and not refresh:
            return _isolation
        cg = _cgroup_root()
        nproc = "pids-cgroup" if cg else ("rlimit-nproc" if os.geteuid() != 0 else "no-fork-cap")
        probe_dir = tempfile.mkdtemp(prefix="nodegen-probe-")
        try:
            cfg = {
                "mode": "full",
                "cwd": probe_dir,
                "writable": [probe_dir],
                "limits": {"cpu_s": 10, "memory_mb": 1024, "file_bytes": 1 << 20, "nproc": 0},
            }
            # The probe must prove the network is gone, not only that unshare returned 0.
            code = "import socket;s=socket.socket();s.settimeout(1);print(s.connect_ex(('127.0.0.1',1)))"
            proc = subprocess.run(
                [
                    sys.executable,
                    "-I",
                    "-S",
                    str(LAUNCHER),
                    json.dumps(cfg),
                    "--",
                    sys.executable,
                    "-I",
                    "-S",
                    "-c",
                    code,
                ],
                capture_output=True,
                text=True,
                timeout=20,
                env=_base_env(probe_dir),
            )
            full = proc.returncode == 0 and proc.stdout.strip() not in ("0", "111")
        except (OSError, subprocess.SubprocessError):
            full = False
        finally:
            shutil.rmtree(probe_dir, ignore_errors=True)
        if full:
            _isolation = _Isolation(
                mode="full",
                cgroup_root=str(cg) if cg else None,
                label=f"netns+pidns+mountns-ro+nocaps+{nproc}+rlimits",
            )
        else:
            _isolation = _Isolation(
                mode="rlimits", cgroup_root=str(cg) if cg else None, label=f"rlimits-only+{nproc}"
            )
        return _isolation


def _base_env(home: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Allow-list: nothing from the caller's environment except locale and a few PYTHON* knobs."""
    env = {k: os.environ[k] for k in _ENV_PASS if k in os.environ}
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        PATH=f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        HOME=home,
        TMPDIR=home,
        USER="sandbox",
        LOGNAME="sandbox",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        PYTHONUNBUFFERED="1",
    )
    if extra:
        env.update(extra)
    return env


def materialize(files: Mapping[str, str], root: Path) -> None:
    """Write relative-path -> text into root, refusing absolute paths and '..' escapes."""
    for rel, text in files.items():
        p = PurePosixPath(rel)
        if p.is_absolute() or ".." in p.parts or not p.parts:
            raise SandboxError(f"refusing path outside the sandbox: {rel!r}")
        target = root.joinpath(*p.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


class _CappedReader(threading.Thread):
    """Drains one pipe in 64 KiB chunks, keeping at most `cap` bytes; calls on_overflow once."""

    def __init__(self, stream, budget: _Budget):
        super().__init__(daemon=True)
        self.stream, self.budget, self.chunks = stream, budget, []

    def run(self) -> None:
        fd = self.stream.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            keep = self.budget.take(len(data))
            if keep:
                self.chunks.append(data[:keep])

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace")


class _Budget:
    def __init__(self, cap: int, on_overflow):
        self.left, self.lock, self.on_overflow, self.overflowed = (
            cap,
            threading.Lock(),
            on_overflow,
            False,
        )

    def take(self, n: int) -> int:
        with self.lock:
            keep = min(n, self.left)
            self.left -= keep
            fire = keep < n and not self.overflowed
            if fire:
                self.overflowed = True
        if fire:
            self.on_overflow()
        return keep


def _kill_tree(proc: subprocess.Popen, cgroup: Path | None) -> None:
    """Kill the launcher (its pid-namespace dies with it), its process group, and the cgroup."""
    for fn in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
        try:
            fn()
        except (ProcessLookupError, PermissionError, OSError):
            pass
    if cgroup is None:
        return
    for _ in range(50):
        try:
            pids = [int(x) for x in (cgroup / "cgroup.procs").read_text().split()]
        except OSError:
            return
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)


def _remove_cgroup(cgroup: Path | None) -> None:
    if cgroup is None:
        return
    for _ in range(100):
        try:
            cgroup.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def _classify(rc: int, stderr: str, *, timed_out: bool, overflow: bool) -> str | None:
    if timed_out:
        return "timeout"
    if overflow:
        return "output"
    if rc < 0:
        sig = -rc
        if sig == signal.SIGXCPU:
            return "cpu"
        if sig == signal.SIGXFSZ:
            return "file_size"
        return (
            f"signal:{signal.Signals(sig).name}"
            if sig in signal.Signals._value2member_map_
            else f"signal:{sig}"
        )
    if rc != 0 and "MemoryError" in stderr:
        return "memory"
    return None


def run_in_sandbox(
    argv: Sequence[str],
    files: Mapping[str, str] | str | os.PathLike[str] | None = None,
    limits: SandboxLimits | None = None,
    *,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
) -> SandboxResult:
    """Run argv with limits. `files` is either a mapping copied into a fresh temp dir (writable),
    or an existing folder used as-is (read-only inside the sandbox when namespaces are available;
    HOME/TMPDIR then get their own fresh temp dir). `cwd` is relative to that folder."""
    if not argv:
        raise SandboxError("argv is empty")
    limits = limits or SandboxLimits()
    iso = _detect()
    scratch = Path(tempfile.mkdtemp(prefix="nodegen-sbx-"))
    if files is None or isinstance(files, Mapping):
        materialize(files or {}, scratch)
        base = scratch
    else:
        base = Path(files).resolve()
        if not base.is_dir():
            raise SandboxError(f"workdir does not exist: {base}")
    workdir = (base / cwd).resolve() if cwd else base
    if not workdir.is_relative_to(base):
        raise SandboxError(f"cwd escapes the sandbox: {cwd!r}")
    cgroup: Path | None = None
    if iso.cgroup_root:
        cgroup = Path(iso.cgroup_root) / f"run-{uuid.uuid4().hex}"
        cgroup.mkdir()
        (cgroup / "pids.max").write_text(str(limits.max_processes))
    nproc = limits.max_processes + _tasks_of_uid() if os.geteuid() != 0 else 0
    cfg = {
        "mode": iso.mode,
        "cwd": str(workdir),
        "writable": [str(scratch)],
        "cgroup": str(cgroup) if cgroup else None,
        "limits": {
            "cpu_s": limits.cpu_s,
            "memory_mb": limits.memory_mb,
            "file_bytes": limits.file_bytes,
            "nproc": nproc,
        },
    }
    full_argv = [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(cfg), "--", *argv]
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(
            full_argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_base_env(str(scratch), env),
            cwd=str(scratch),
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        _remove_cgroup(cgroup)
        shutil.rmtree(scratch, ignore_errors=True)
        raise SandboxError(f"cannot start sandbox: {exc}") from exc
    budget = _Budget(limits.output_bytes, lambda: _kill_tree(proc, cgroup))
    readers = [_CappedReader(proc.stdout, budget), _CappedReader(proc.stderr, budget)]
    for r in readers:
        r.start()
    timed_out = False
    try:
        rc = proc.wait(timeout=limits.wall_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_tree(proc, cgroup)
        rc = proc.wait()
    finally:
        # Orphans that outlived the main process (rlimits-only mode) still hold the pipes.
        _kill_tree(proc, cgroup)
        for r in readers:
            r.join(timeout=2)
        for s in (proc.stdout, proc.stderr):
            if s:
                s.close()
        _remove_cgroup(cgroup)
        shutil.rmtree(scratch, ignore_errors=True)
    duration_ms = (time.perf_counter() - started) * 1000
    stdout, stderr = readers[0].text(), readers[1].text()
    if rc == SETUP_FAILED and "sandbox setup failed" in stderr:
        raise SandboxError(f"isolation '{iso.label}' was detected but failed now: {stderr.strip()}")
    return SandboxResult(
        returncode=rc,
        stdout=stdout,
        stderr=stderr,
        timed_out=timed_out,
        killed_by=_classify(rc, stderr, timed_out=timed_out, overflow=budget.overflowed),
        duration_ms=round(duration_ms, 1),
        isolation=iso.label,
        output_truncated=budget.overflowed,
    )


def _tasks_of_uid() -> int:
    """Tasks (threads count) the current uid already runs, so RLIMIT_NPROC leaves max_processes more."""
    uid, total = os.getuid(), 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as fh:
                status = fh.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            total += int(fields.get("Threads", "1").strip())
    return total
