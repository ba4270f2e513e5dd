"""Replay CLI on a small CSV, and the quality predictor's held-out metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from nodegen.decision.predictor import train_quality_predictor
from nodegen.decision.replay import replay, replay_cli

START = datetime(2026, 1, 1, tzinfo=UTC)


def small_trace(days: int = 8, per_day: int = 120, local_quality: float = 0.945, seed: int = 3) -> pd.DataFrame:
    """Every call recorded for both models (counterfactual trace)."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    ts = [START + timedelta(seconds=float(s)) for s in np.sort(rng.uniform(0, days * 86400, n))]
    parts = []
    for model, q, cost in (("cloud", 0.95, 0.05), ("local", local_quality, 0.001)):
        parts.append(
            pd.DataFrame(
                {
                    "correlation_id": [f"r{i}" for i in range(n)],
                    "stage": "contract",
                    "model_used": model,
                    "quality_score": np.clip(rng.normal(q, 0.02, n), 0, 1),
                    "success": True,
                    "cost_usd": cost,
                    "latency_ms": 1000.0,
                    "timestamp": [t.isoformat() for t in ts],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_replay_cli_json_migrates_on_small_csv(tmp_path, capsys):
    path = tmp_path / "trace.csv"
    small_trace().to_csv(path, index=False)
    assert replay_cli([str(path), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    decisions, summary = lines[:-1], lines[-1]["summary"]
    assert decisions and decisions[0]["kind"] == "migrate"
    assert (decisions[0]["previous_model"], decisions[0]["new_model"]) == ("cloud", "local")
    assert set(decisions[0]) >= {"timestamp", "stage", "kind", "previous_model", "new_model", "reason"}
    assert summary["starting_routing"] == {"contract": "cloud"}
    assert summary["cost_reduction_pct"] > 30 and summary["mean_quality"] > 0.94
    assert summary["evaluations"] == 8 * 4


def test_replay_does_not_migrate_to_worse_model():
    result = replay(small_trace(local_quality=0.85))
    assert result.decisions == []
    assert 0.05 < result.summary["canary_share"] < 0.15
    assert result.summary["final_routing"] == {"contract": "cloud"}


def test_replay_cli_text_and_usage_errors(tmp_path, capsys):
    path = tmp_path / "trace.csv"
    small_trace(days=2).to_csv(path, index=False)
    assert replay_cli([str(path)]) == 0
    assert "generations" in capsys.readouterr().out
    assert replay_cli([]) == 2
    assert replay_cli([str(tmp_path / "missing.csv")]) == 2
    assert replay_cli([str(path), "--bogus"]) == 2
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"stage": ["contract"]}).to_csv(bad, index=False)
    assert replay_cli([str(bad)]) == 1
    assert "lacks required columns" in capsys.readouterr().err


def test_predictor_reports_auc_and_brier():
    rng = np.random.default_rng(0)
    n = 600
    model = rng.choice(["good", "bad"], n)
    kind = rng.choice(["effect", "compute"], n)
    p = np.where(model == "good", 0.95, 0.4) - np.where(kind == "effect", 0.1, 0.0)
    success = rng.random(n) < p
    frame = pd.DataFrame(
        {
            "correlation_id": [f"c{i}" for i in range(n)],
            "stage": "contract",
            "model_used": model,
            "node_kind": kind,
            "quality_score": np.clip(p + rng.normal(0, 0.05, n), 0, 1),
            "success": success,
            "cost_usd": 0.01,
            "patterns_used": rng.integers(0, 3, n),
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC"),
        }
    )
    predictor = train_quality_predictor(frame)
    metrics = predictor.metrics["contract"]
    assert metrics.auc is not None and metrics.auc > 0.7
    assert 0 < metrics.brier < 0.2 and metrics.n_test == 150
    good = predictor.predict("contract", "good", node_kind="compute")
    bad = predictor.predict("contract", "bad", node_kind="compute")
    assert good.success_probability > bad.success_probability and good.quality > bad.quality
    assert predictor.expected_quality("contract", "good") > predictor.expected_quality("contract", "bad")
    with pytest.raises(KeyError):
        predictor.predict("prd_analysis", "good")
