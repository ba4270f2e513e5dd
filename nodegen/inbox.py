"""The request inbox: accept valid request files, reject bad ones with a report, lose nothing.

A scan looks at the files directly in the inbox. A valid file is archived as its canonical request
under `<home>/requests/<request_id>.json` (what the pipeline reads) and moved to `processed/`; a bad
file is moved to `rejected/` with `<name>.error.json` beside it. Files still being written (size or
mtime changed within `settle_s`) wait for the next scan. Nothing is ever deleted.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nodegen.errors import RequestError
from nodegen.request import REQUEST_SUFFIXES, NodeRequest, load_request_file, partition_key_for

PROCESSED, REJECTED = "processed", "rejected"


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
    """Every visible regular file is a submission; unsupported types get rejected, not ignored."""
    return path.is_file() and not path.name.startswith(".") and not path.name.endswith(".error.json")


def scan_inbox(inbox: Path, home: Path, *, settle_s: float = 0.5, limit: int = 500) -> InboxScan:
    """Process up to `limit` settled files of the inbox, oldest first."""
    scan = InboxScan()
    if not inbox.exists():
        return scan
    now = time.time()
    entries = sorted(
        (p for p in inbox.iterdir() if not p.is_symlink() and _is_candidate(p)),
        key=lambda p: (p.stat().st_mtime, p.name),
    )
    for path in entries[:limit]:
        before = path.stat()
        if now - before.st_mtime < settle_s:
            scan.waiting.append(path.name)
            continue
        try:
            if path.suffix.lower() not in REQUEST_SUFFIXES:
                raise RequestError(f"{path.name}: unsupported file type; use .json, .yaml or .yml")
            request = load_request_file(path)
            after = path.stat()
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                scan.waiting.append(path.name)  # rewritten while we read it: read it again later
                continue
        except RequestError as exc:
            target = _unique_destination(inbox / REJECTED, path.name)
            os.replace(path, target)
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
        os.replace(path, _unique_destination(inbox / PROCESSED, path.name))
        scan.accepted.append(AcceptedRequest(file_name=path.name, partition_key=key, duplicate=duplicate))
    return scan
