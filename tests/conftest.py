"""Shared fixtures: an isolated nodegen environment (state, inbox, output) per test, a temp Dagster
instance and resource over it, and dropping a settled request file into an inbox."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance

from nodegen.settings import Settings
from resources import NodegenResource

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = PROJECT_ROOT / "examples" / "requests"


@pytest.fixture
def nodegen_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point every NODEGEN_* variable at a fresh temp layout and return the Settings."""
    monkeypatch.setenv("NODEGEN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NODEGEN_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("NODEGEN_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("NODEGEN_DATABASE_URL", raising=False)
    monkeypatch.delenv("NODEGEN_LANCEDB_URI", raising=False)
    (tmp_path / "inbox").mkdir()
    return Settings.from_env()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    """A real Dagster instance (SQLite storage) in a temp DAGSTER_HOME."""
    (tmp_path / "dagster_home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "dagster_home")) as inst:
        yield inst


@pytest.fixture
def resource(nodegen_env: Settings) -> NodegenResource:
    """The Dagster resource over the test's nodegen environment."""
    return NodegenResource(home=str(nodegen_env.home))


def drop_request_file(inbox: Path, name: str, data: bytes, age_s: float = 5.0) -> Path:
    """A request file in the inbox, dated `age_s` ago so the scan treats it as settled."""
    path = inbox / name
    path.write_bytes(data)
    past = time.time() - age_s
    os.utime(path, (past, past))
    return path
