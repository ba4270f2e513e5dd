"""Shared fixtures: an isolated nodegen environment (state, inbox, output) per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nodegen.settings import Settings

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
