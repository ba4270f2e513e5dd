"""Pattern library fixtures: the real MiniLM embedder (loaded once per session) and real LanceDB
stores in temp folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nodegen.artifacts import NodeKind
from nodegen.patterns import Embedder, PatternRecord, PatternStore


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder.load()


@pytest.fixture
def make_store(tmp_path: Path, embedder: Embedder) -> Callable[..., PatternStore]:
    """A new PatternStore in its own temp folder; keyword arguments go to PatternStore."""
    counter = iter(range(1000))

    def make(**kwargs: Any) -> PatternStore:
        return PatternStore(tmp_path / f"lancedb{next(counter)}", embedder, **kwargs)

    return make


def record(
    pid: str,
    prompt: str,
    *,
    kind: NodeKind | str = NodeKind.COMPUTE,
    domain: str = "data",
    quality: float = 1.0,
    **extra: Any,
) -> PatternRecord:
    """A pattern candidate with just what the store needs."""
    return PatternRecord(
        correlation_id=pid,
        node_type=NodeKind(kind),
        domain=domain,
        node_name=pid.replace("-", "_"),
        prompt=prompt,
        quality_score=quality,
        **extra,
    )
