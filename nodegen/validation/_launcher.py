"""Sandbox launcher: a tiny stdlib-only program run as `python -I -S _launcher.py CONFIG -- ARGV`.

It exists because namespace and mount setup must happen in a fresh single-threaded process
(preexec_fn is unsafe in the multi-threaded validator). Layout when full isolation is available:

    outer (this process, joined to the pids cgroup, new mount+net+pid namespaces)
      └─ A: pid 1 of the new pid namespace; mounts a private /proc, makes every mount read-only
            except the writable dirs, reaps orphans, dies with `outer` (PDEATHSIG)
           └─ B: rlimits, empty capability bounding set, no_new_privs, chdir, exec ARGV

Killing `outer` kills A, and the kernel kills every process of the namespace with it.
Exit status of B is relayed (exit code, or the same signal re-raised).
"""

import ctypes
import json
import os
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1024, 2048, 1 << 21, 1 << 24
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
SETUP_FAILED = 125

_FLAG_BY_OPT = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
    "strictatime": MS_STRICTATIME,
}

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_void_p,
]


def _fail(msg: str) -> None:
    os.write(2, f"sandbox setup failed: {msg}\n".encode())
    os._exit(SETUP_FAILED)


def _check(rc: int, what: str) -> None:
    if rc != 0:
        _fail(f"{what}: {os.strerror(ctypes.get_errno())}")


def _mount(src, target, fstype, flags) -> int:
    enc = [s.encode() if isinstance(s, str) else s for s in (src, target, fstype)]
    return libc.mount(enc[0], enc[1], enc[2], flags, None)


def _unescape(path: str) -> str:
    return path.encode().decode("unicode_escape") if "\\" in path else path


def _mounts() -> list[tuple[str, int]]:
    """(mount point, flags to keep) for every mount, from /proc/self/mountinfo."""
    out = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            parts = line.split()
            flags = 0
            for opt in parts[5].split(","):
                flags |= _FLAG_BY_OPT.get(opt, 0)
            out.append((_unescape(parts[4]), flags))
    return out


def _readonly_except(writable: list[str]) -> None:
    for w in writable:
        _check(_mount(w, w, None, MS_BIND | MS_REC), f"bind {w}")
    for point, flags in sorted(_mounts()):
        if any(point == w or point.startswith(w.rstrip("/") + "/") for w in writable):
            continue
        rc = _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | flags)
        if rc != 0 and point == "/":
            _check(rc, "remount / read-only")


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def _relay(status: int) -> None:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.waitstatus_to_exitcode(status))


def _exec_target(cfg: dict, argv: list[str]) -> None:
    """B: limits, capabilities, exec. Everything here runs in the final process image's parent."""
    lim = cfg["limits"]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (lim["cpu_s"], lim["cpu_s"] + 1))
    mem = lim["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    fsize = lim["file_bytes"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    if lim.get("nproc"):
        resource.setrlimit(resource.RLIMIT_NPROC, (lim["nproc"], lim["nproc"]))
    if cfg["mode"] == "full":
        for cap in range(64):
            libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.umask(0o077)
    os.chdir(cfg["cwd"])
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        os.write(2, f"sandbox: cannot exec {argv[0]}: {exc}\n".encode())
        os._exit(127)


def _pid_one(cfg: dict, argv: list[str], status_fd: int) -> None:
    """A: init of the new pid namespace. Init cannot signal itself, so B's raw wait status goes
    back to `outer` through a pipe and `outer` re-raises it."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _check(_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC), "mount /proc")
    _readonly_except(cfg["writable"])
    child = os.fork()
    if child == 0:
        _exec_target(cfg, argv)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(SETUP_FAILED)
        if pid == child:
            os.write(status_fd, str(status).encode())
            os._exit(0)


def main() -> None:
    cfg = json.loads(sys.argv[1])
    argv = sys.argv[3:]
    if cfg.get("cgroup"):
        try:
            _write(os.path.join(cfg["cgroup"], "cgroup.procs"), str(os.getpid()))
        except OSError as exc:
            _fail(f"join cgroup: {exc}")
    if cfg["mode"] != "full":
        _exec_target(cfg, argv)
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
    if uid != 0:
        flags |= CLONE_NEWUSER
    _check(libc.unshare(flags), "unshare")
    if uid != 0:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _check(_mount(None, "/", None, MS_REC | MS_PRIVATE), "make / private")
    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_fd)
        _pid_one(cfg, argv, write_fd)
    os.close(write_fd)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: os._exit(128 + s))
    _, a_status = os.waitpid(child, 0)
    reported = os.read(read_fd, 64)
    _relay(int(reported) if reported else a_status)


if __name__ == "__main__":
    main()
