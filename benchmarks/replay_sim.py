"""A simulated model fleet with known true quality, cost and latency, for replaying the engine.

Every (request, stage) call gets one row per model (a counterfactual trace), so the replay can serve
whichever model its routing picks and we can score the outcome against the known truth and an oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from nodegen.config import Candidate, ModelSelectionConfig, StageRouting
from nodegen.stages import Stage

START = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ("effect", "compute", "reducer", "orchestrator")
SIM_STAGES = (Stage.PRD_ANALYSIS, Stage.CONTRACT, Stage.BUSINESS_LOGIC, Stage.REFINEMENT)


@dataclass(frozen=True)
class SimModel:
    name: str
    quality: float
    cost: float
    latency_ms: float
    success: float
    degrade_at_day: float | None = None
    degraded_quality: float = 0.0
    degraded_success: float = 0.0

    def true_quality(self, day: float) -> float:
        if self.degrade_at_day is not None and day >= self.degrade_at_day:
            return self.degraded_quality
        return self.quality

    def true_success(self, day: float) -> float:
        if self.degrade_at_day is not None and day >= self.degrade_at_day:
            return self.degraded_success
        return self.success


def default_fleet(degrade_at_day: float = 15.0) -> list[SimModel]:
    return [
        SimModel("cloud-large", 0.96, 0.05, 8000, 0.99),
        SimModel("local-medium", 0.94, 0.001, 3000, 0.98),
        SimModel("local-weak", 0.80, 0.0005, 1500, 0.92),
        SimModel("local-fast", 0.955, 0.0004, 2500, 0.98, degrade_at_day, 0.78, 0.85),
    ]


def simulate_trace(
    fleet: list[SimModel] | None = None,
    days: int = 30,
    per_day: int = 400,
    seed: int = 7,
    quality_sd: float = 0.04,
) -> pd.DataFrame:
    """Rows in the stage_metrics columns: every call of every stage, one row per fleet model."""
    fleet = fleet or default_fleet()
    rng = np.random.default_rng(seed)
    n = days * per_day
    offsets = np.sort(rng.uniform(0, days * 86400, n))
    kinds = rng.choice(KINDS, n)
    frames = []
    for stage in SIM_STAGES:
        stage_offsets = offsets + SIM_STAGES.index(stage) * 5.0  # stages run in sequence
        day = stage_offsets / 86400
        for model in fleet:
            q_true = np.where(
                (model.degrade_at_day is not None) & (day >= (model.degrade_at_day or 0)),
                model.degraded_quality,
                model.quality,
            )
            s_true = np.where(
                (model.degrade_at_day is not None) & (day >= (model.degrade_at_day or 0)),
                model.degraded_success,
                model.success,
            )
            frames.append(
                pd.DataFrame(
                    {
                        "correlation_id": [f"req-{i:06d}" for i in range(n)],
                        "stage": stage.value,
                        "attempt": 1,
                        "model_used": model.name,
                        "provider": "sim",
                        "tokens_input": 2000,
                        "tokens_output": 800,
                        "latency_ms": model.latency_ms * rng.lognormal(0, 0.25, n),
                        "cost_usd": model.cost * rng.lognormal(0, 0.2, n),
                        "quality_score": np.clip(rng.normal(q_true, quality_sd), 0, 1),
                        "success": rng.random(n) < s_true,
                        "patterns_used": rng.integers(0, 4, n),
                        "error": None,
                        "node_kind": kinds,
                        "timestamp": pd.to_datetime(START) + pd.to_timedelta(stage_offsets, unit="s"),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def fleet_selection(fleet: list[SimModel] | None = None, latency_target_ms: float = 20000) -> ModelSelectionConfig:
    fleet = fleet or default_fleet()
    stages = {
        stage: StageRouting(
            candidates=[Candidate(model=m.name, priority=i) for i, m in enumerate(fleet)],
            quality_threshold=0.9,
            success_threshold=0.9,
            latency_target_ms=latency_target_ms,
        )
        for stage in SIM_STAGES
    }
    return ModelSelectionConfig(stages=stages)


def oracle_choice(fleet: list[SimModel], day: float, max_drop: float = 0.03) -> SimModel:
    """The cheapest model whose true quality is within max_drop of the best, at that time."""
    best = max(m.true_quality(day) for m in fleet)
    ok = [m for m in fleet if m.true_quality(day) >= best - max_drop and m.true_success(day) >= 0.9]
    return min(ok, key=lambda m: m.cost)


def trace_day(timestamp: pd.Timestamp | datetime) -> float:
    return (pd.Timestamp(timestamp) - pd.Timestamp(START)).total_seconds() / 86400


def oracle_rows(trace: pd.DataFrame, fleet: list[SimModel]) -> pd.DataFrame:
    """Per call, the row of the oracle's model at that call's time."""
    day = (trace["timestamp"] - pd.Timestamp(START)).dt.total_seconds() / 86400
    chosen = [oracle_choice(fleet, d).name for d in day]
    return trace[trace["model_used"].to_numpy() == np.array(chosen)]
