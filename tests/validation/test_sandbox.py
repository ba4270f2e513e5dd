"""Hostile code in the real sandbox: each case is contained, killed or denied, and this test
process survives. Limits are small so the whole file runs in a few seconds."""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from nodegen.artifacts import NodeSource
from nodegen.validation import SandboxError, SandboxLimits, detect_isolation, run_in_sandbox
from nodegen.validation import validate_node as validate

from .good_nodes import compute_node

LIMITS = SandboxLimits(wall_s=3, cpu_s=3, memory_mb=512, output_bytes=200_000, max_processes=32)
NETNS = detect_isolation().startswith("netns")


def py(code: str, limits: SandboxLimits = LIMITS, **kw):
    return run_in_sandbox([sys.executable, "-c", code], kw.pop("files", {}), limits, **kw)


def test_runs_code_in_its_own_temp_dir() -> None:
    res = py(
        "import os; print(os.getcwd()); print(open('data.txt').read())", files={"data.txt": "hello"}
    )
    assert res.ok and res.stdout.splitlines()[1] == "hello"
    cwd = res.stdout.splitlines()[0]
    assert cwd != os.getcwd() and not Path(cwd).exists()  # removed afterwards


def test_secrets_are_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-value-123")
    monkeypatch.setenv("NODEGEN_DATABASE_URL", "postgresql://user:pw@db/x")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("PYTHONPATH", "/work/main")
    res = py("import os, json; print(json.dumps(dict(os.environ)))")
    assert res.ok
    for leaked in ("ANTHROPIC_API_KEY", "NODEGEN_DATABASE_URL", "OPENAI_API_KEY", "PYTHONPATH"):
        assert leaked not in res.stdout
    assert "sk-ant-secret" not in res.stdout


def test_write_outside_temp_dir_is_denied_or_contained(tmp_path: Path) -> None:
    target = tmp_path / "pwned.txt"
    res = py(f"open({str(target)!r}, 'w').write('x'); print('wrote')")
    if "mountns-ro" in detect_isolation():
        assert not res.ok and "Read-only file system" in res.stderr
        assert not target.exists()
    else:  # documented: rlimits-only cannot deny writes the user could do anyway
        pytest.skip("no mount namespace here; writes outside are not denied (docs/sandbox.md)")


def test_huge_file_is_cut_by_rlimit_fsize() -> None:
    limits = LIMITS.model_copy(update={"file_bytes": 1 << 20})
    res = py("f = open('big', 'wb')\nwhile True: f.write(b'x' * 65536)", limits)
    assert res.killed_by == "file_size" or "File too large" in res.stderr


def test_socket_is_denied_where_netns_available() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    got: list[bytes] = []

    def accept() -> None:
        try:
            conn, _ = server.accept()
            got.append(conn.recv(100))
            conn.close()
        except OSError:
            pass

    t = threading.Thread(target=accept)
    t.start()
    code = (
        f"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=1); "
        "s.sendall(b'exfiltrated'); print('sent')"
    )
    res = py(code)
    t.join()
    server.close()
    if not NETNS:
        pytest.skip("no network namespace on this machine (recorded as rlimits-only)")
    assert not res.ok and "sent" not in res.stdout
    assert got == []
    assert "unreachable" in res.stderr.lower() or "refused" in res.stderr.lower()


def test_fork_bomb_is_contained() -> None:
    code = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    res = py(code)
    assert res.timed_out and res.killed_by == "timeout"
    assert len(os.listdir("/proc")) < 5000  # the machine is still usable


def test_memory_bomb_is_denied() -> None:
    res = py("x = bytearray(10 * 1024 ** 3); print('allocated')")
    assert res.killed_by == "memory" and "allocated" not in res.stdout


def test_output_flood_is_capped_and_killed() -> None:
    res = py("import sys\nfor _ in range(16384): sys.stdout.write('x' * 65536)")  # 1 GiB
    assert res.killed_by == "output" and res.output_truncated
    assert len(res.stdout) + len(res.stderr) <= LIMITS.output_bytes


def test_sleep_forever_is_killed_on_wall_clock() -> None:
    res = py("import time, os\nif os.fork() == 0:\n    os.setsid()\ntime.sleep(1000)")
    assert res.timed_out and res.killed_by == "timeout"
    assert res.duration_ms < 8000


def test_cpu_burn_is_killed_by_rlimit_cpu() -> None:
    res = py("while True: pass", LIMITS.model_copy(update={"cpu_s": 1, "wall_s": 6}))
    assert res.killed_by == "cpu"


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(SandboxError, match="outside the sandbox"):
        py("pass", files={"../x.py": ""})
    with pytest.raises(SandboxError, match="argv is empty"):
        run_in_sandbox([], {})
    with pytest.raises(ValueError):
        SandboxLimits(wall_s=0)


def _hostile_node(test_body: str) -> NodeSource:
    """The good compute node with a hostile generated test (as a model could emit)."""
    src = compute_node()
    files = dict(src.files)
    files["tests/test_node_sum_numbers.py"] += "\n\ndef test_hostile() -> None:\n" + test_body
    return src.model_copy(update={"files": files})


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("sleep_forever", "    import time\n    time.sleep(1000)\n"),
        ("memory_bomb", "    x = bytearray(10 * 1024 ** 3)\n    assert x\n"),
        ("secret_read", "    import os\n    assert os.environ['ANTHROPIC_API_KEY']\n"),
    ],
)
def test_hostile_generated_tests_fail_the_tests_gate(
    case: str, body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-real-key-do-not-leak")
    limits = SandboxLimits(wall_s=4, cpu_s=4, memory_mb=1024)
    report = validate(_hostile_node(body), limits=limits, run_types=False)
    tests = next(g for g in report.gates if g.gate == "tests")
    assert not report.success and not tests.passed, case
    assert report.quality_score <= 0.6
    assert "sk-ant-real-key" not in " ".join(tests.findings)


def test_rlimits_only_fallback_still_kills_and_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Machines without namespaces (non-root CI without userns) get the rlimits-only path."""
    from nodegen.validation import sandbox

    monkeypatch.setattr(
        sandbox,
        "_isolation",
        sandbox._Isolation(mode="rlimits", cgroup_root=None, label="rlimits-only+test"),
    )
    res = py("import time; time.sleep(1000)", LIMITS.model_copy(update={"wall_s": 1}))
    assert res.killed_by == "timeout" and res.isolation == "rlimits-only+test"
    assert py("x = bytearray(10 * 1024 ** 3)").killed_by == "memory"
    assert py("print('hi')").stdout == "hi\n"
