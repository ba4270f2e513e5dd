"""The request inbox: accept valid request files, reject bad ones with a report, lose nothing.

A scan looks at the files directly in the inbox. A valid file is archived as its canonical request
under `<home>/requests/<request_id>.json` (what the pipeline reads) and moved to `processed/`; a bad
file is moved to `rejected/` with `<name>.error.json` beside it. Files still being written (size or
mtime changed within `settle_s`, or changed while we read them) wait for the next scan. Links, pipes
and devices are moved aside as rejected, never followed or read. Nothing is ever deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nodegen.errors import RequestError
from nodegen.request import REQUEST_SUFFIXES, NodeRequest, load_request_file, partition_key_for

PROCESSED, REJECTED = "processed", "rejected"
CONFIRM_S = 0.05  # pause before rejecting, so a file being rewritten is not judged torn


class AcceptedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: str
    partition_key: str
    duplicate: bool


class RejectedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: str
    error: str
    report_path: str


class InboxScan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted: list[AcceptedRequest] = []
    rejected: list[RejectedRequest] = []
    waiting: list[str] = []


def _unique_destination(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    counter = 1
    while target.exists():
        target = folder / f"{Path(name).stem}.{counter}{Path(name).suffix}"
        counter += 1
    return target


def _atomic_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def request_archive(home: Path) -> Path:
    return home / "requests"


def load_archived_request(home: Path, partition_key: str) -> NodeRequest:
    """The canonical request behind a partition (written by the inbox scan or `submit_request`)."""
    path = request_archive(home) / f"{partition_key}.json"
    if not path.exists():
        raise RequestError(f"no archived request for partition {partition_key!r} ({path})")
    return NodeRequest.model_validate_json(path.read_text(encoding="utf-8"))


def submit_request(home: Path, request: NodeRequest) -> tuple[str, bool]:
    """Archive a request; returns (partition key, whether it was already there)."""
    key = partition_key_for(request)
    path = request_archive(home) / f"{key}.json"
    duplicate = path.exists()
    if not duplicate:
        _atomic_json(path, request.model_dump(mode="json", exclude_defaults=True))
    return key, duplicate


def _is_candidate(path: Path) -> bool:
    """Every visible entry but a folder is a submission; unsupported ones get rejected, not ignored
    (a symbolic link or a pipe included: they are moved aside, never followed or read)."""
    try:
        is_dir = stat.S_ISDIR(path.lstat().st_mode)
    except FileNotFoundError:  # removed by its owner while we listed the folder
        return False
    return not is_dir and not path.name.startswith(".") and not path.name.endswith(".error.json")


def _changed(path: Path, before: os.stat_result) -> bool:
    """True when the file was rewritten (or removed) since `before` was taken."""
    try:
        after = path.lstat()
    except FileNotFoundError:
        return True
    return (after.st_size, after.st_mtime_ns, after.st_ctime_ns) != (
        before.st_size, before.st_mtime_ns, before.st_ctime_ns
    )


def scan_inbox(inbox: Path, home: Path, *, settle_s: float = 0.5, limit: int = 500) -> InboxScan:
    """Process up to `limit` settled files of the inbox, oldest first."""
    scan = InboxScan()
    if not inbox.exists():
        return scan
    now = time.time()
    found: list[tuple[os.stat_result, Path]] = []
    for p in inbox.iterdir():
        if _is_candidate(p):
            try:
                found.append((p.lstat(), p))
            except FileNotFoundError:
                continue
    entries = sorted(found, key=lambda item: (item[0].st_mtime, item[1].name))
    for before, path in entries[:limit]:
        if now - before.st_mtime < settle_s:
            scan.waiting.append(path.name)
            continue
        try:
            if not stat.S_ISREG(before.st_mode):
                raise RequestError(
                    f"{path.name}: not a regular file (a link, pipe or device); drop the file itself"
                )
            if path.suffix.lower() not in REQUEST_SUFFIXES:
                raise RequestError(f"{path.name}: unsupported file type; use .json, .yaml or .yml")
            request = load_request_file(path)
            if _changed(path, before):
                scan.waiting.append(path.name)  # rewritten while we read it: read it again later
                continue
        except RequestError as exc:
            # A file caught mid-rewrite (truncated, not yet written) reads as bad for a moment, and
            # stat can still show its old size and mtime then: confirm after a pause.
            time.sleep(CONFIRM_S)
            if _changed(path, before):
                if os.path.lexists(path):
                    scan.waiting.append(path.name)
                continue
            target = _unique_destination(inbox / REJECTED, path.name)
            try:
                os.replace(path, target)
            except FileNotFoundError:  # removed by its owner meanwhile: nothing left to report on
                continue
            report = target.with_name(target.name + ".error.json")
            _atomic_json(
                report,
                {
                    "file": path.name,
                    "error": str(exc),
                    "code": exc.code,
                    "rejected_at": datetime.now(UTC).isoformat(),
                },
            )
            scan.rejected.append(RejectedRequest(file_name=path.name, error=str(exc), report_path=str(report)))
            continue
        key, duplicate = submit_request(home, request)
        with contextlib.suppress(FileNotFoundError):  # archived already; the owner removed the file
            os.replace(path, _unique_destination(inbox / PROCESSED, path.name))
        scan.accepted.append(AcceptedRequest(file_name=path.name, partition_key=key, duplicate=duplicate))
    return scan
