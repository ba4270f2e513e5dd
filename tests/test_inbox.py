"""The inbox: valid files become archived requests, bad ones get a report, nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

from nodegen.inbox import load_archived_request, scan_inbox

from .conftest import drop_request_file

PROMPT = "a compute node that computes the mean and the 95th percentile of a list of numbers"


def test_valid_and_invalid_files_in_one_scan(tmp_path: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    drop_request_file(inbox, "good.json", json.dumps({"prompt": PROMPT, "name": "stats"}).encode())
    drop_request_file(inbox, "good.yaml", f"prompt: {PROMPT} of sensor readings\n".encode())
    drop_request_file(inbox, "bad.json", b"{not json")
    drop_request_file(inbox, "evil.json", json.dumps({"prompt": PROMPT, "name": "../../x"}).encode())
    drop_request_file(inbox, "notes.txt", b"hello")

    scan = scan_inbox(inbox, home)

    assert sorted(a.file_name for a in scan.accepted) == ["good.json", "good.yaml"]
    assert sorted(r.file_name for r in scan.rejected) == ["bad.json", "evil.json", "notes.txt"]
    for rejected in scan.rejected:
        report = json.loads(Path(rejected.report_path).read_text())
        assert report["file"] == rejected.file_name and report["error"]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["good.json", "good.yaml"]
    assert {p.name for p in (inbox / "rejected").iterdir()} >= {"bad.json", "evil.json", "notes.txt"}
    assert not [p for p in inbox.iterdir() if p.is_file()]
    key = next(a.partition_key for a in scan.accepted if a.file_name == "good.json")
    assert load_archived_request(home, key).name == "stats"
    assert not (tmp_path / "x").exists()


def test_duplicate_content_is_one_request(tmp_path: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    body = json.dumps({"prompt": PROMPT}).encode()
    drop_request_file(inbox, "a.json", body)
    first = scan_inbox(inbox, home)
    drop_request_file(inbox, "b.json", body)
    second = scan_inbox(inbox, home)
    assert first.accepted[0].partition_key == second.accepted[0].partition_key
    assert not first.accepted[0].duplicate and second.accepted[0].duplicate


def test_file_still_being_written_waits(tmp_path: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    (inbox / "fresh.json").write_text(json.dumps({"prompt": PROMPT}))
    scan = scan_inbox(inbox, home, settle_s=60)
    assert scan.waiting == ["fresh.json"] and not scan.accepted
    assert (inbox / "fresh.json").exists()


def test_same_name_rejected_twice_keeps_both(tmp_path: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    drop_request_file(inbox, "bad.json", b"{")
    scan_inbox(inbox, home)
    drop_request_file(inbox, "bad.json", b"[")
    scan_inbox(inbox, home)
    names = sorted(p.name for p in (inbox / "rejected").iterdir())
    assert names == ["bad.1.json", "bad.1.json.error.json", "bad.json", "bad.json.error.json"]
