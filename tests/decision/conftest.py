"""Constructed stage-metrics frames for decision tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from nodegen.config import Candidate, ModelSelectionConfig, StageRouting
from nodegen.stages import Stage

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)

RowsFactory = Callable[..., pd.DataFrame]


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def rows() -> RowsFactory:
    """rows(model, n, quality, sd=0.02, cost=..., success=1.0, latency=1000, kind=None, hours=(0, 100))
    -> n stage_metrics rows of `model` spread over `hours` before NOW (ascending offsets)."""
    counter = iter(range(10**9))

    def make(
        model: str,
        n: int,
        quality: float,
        sd: float = 0.02,
        cost: float = 0.05,
        success: float = 1.0,
        latency: float = 1000.0,
        kind: str | None = None,
        hours: tuple[float, float] = (0.5, 100.0),
        stage: str = "contract",
        seed: int = 0,
    ) -> pd.DataFrame:
        rng = np.random.default_rng(seed + hash(model) % 1000)
        ages = np.linspace(hours[1], hours[0], n)
        n_success = int(round(success * n))
        return pd.DataFrame(
            {
                "correlation_id": [f"c{next(counter)}" for _ in range(n)],
                "stage": stage,
                "attempt": 1,
                "model_used": model,
                "provider": "test",
                "tokens_input": 1000,
                "tokens_output": 500,
                "latency_ms": np.full(n, latency),
                "cost_usd": np.full(n, cost),
                "quality_score": np.clip(rng.normal(quality, sd, n), 0, 1) if sd else np.full(n, quality),
                "success": [True] * n_success + [False] * (n - n_success),
                "patterns_used": 0,
                "error": None,
                "node_kind": kind,
                "timestamp": [NOW - timedelta(hours=float(a)) for a in ages],
            }
        )

    return make


@pytest.fixture
def selection() -> ModelSelectionConfig:
    return ModelSelectionConfig(
        stages={
            Stage.CONTRACT: StageRouting(
                candidates=[
                    Candidate(model="claude-sonnet-4-5", priority=1),
                    Candidate(model="qwen2.5-coder-7b-vllm", priority=2, latency_target_ms=5000),
                    Candidate(model="local-rules", priority=3),
                ],
                quality_threshold=0.8,
                success_threshold=0.9,
            )
        }
    )
