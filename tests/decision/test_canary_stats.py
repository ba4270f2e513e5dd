"""Canary assignment and the non-inferiority statistics."""

from __future__ import annotations

import numpy as np
import pytest

from nodegen.config import load_model_catalogue
from nodegen.decision.canary import canary_bucket, next_cheaper_candidate, route_model
from nodegen.decision.stats import (
    bootstrap_noninferiority,
    success_noninferiority,
    welch_noninferiority,
    wilson_interval,
)

IDS = [f"corr-{i}" for i in range(10_000)]


def test_canary_bucket_is_stable_and_uniform():
    buckets = np.array([canary_bucket(i) for i in IDS])
    assert all(canary_bucket(i) == b for i, b in zip(IDS[:100], buckets[:100], strict=True))
    assert ((buckets >= 0) & (buckets < 1)).all()


def test_canary_share_within_1_5_points(selection):
    catalogue = load_model_catalogue()
    choices = [route_model("contract", i, {"contract": "claude-sonnet-4-5"}, selection, catalogue) for i in IDS]
    share = np.mean([c.is_canary for c in choices])
    assert abs(share - selection.canary_share) <= 0.015
    # the canary goes to the next cheaper candidate by catalogue price, not the cheapest
    assert {c.model for c in choices if c.is_canary} == {"qwen2.5-coder-7b-vllm"}
    again = [route_model("contract", i, {"contract": "claude-sonnet-4-5"}, selection, catalogue) for i in IDS[:500]]
    assert again == choices[:500]


def test_kind_override_wins_and_exclusions_skip(selection):
    catalogue = load_model_catalogue()
    routing = {"contract": "claude-sonnet-4-5", "contract:compute": "qwen2.5-coder-7b-vllm"}
    choice = route_model("contract", "x-1", routing, selection, catalogue, node_kind="compute")
    assert choice.routing_key == "contract:compute" and choice.current_model == "qwen2.5-coder-7b-vllm"
    assert next_cheaper_candidate("contract", "claude-sonnet-4-5", selection, catalogue) == "qwen2.5-coder-7b-vllm"
    assert (
        next_cheaper_candidate("contract", "claude-sonnet-4-5", selection, catalogue, exclude={"qwen2.5-coder-7b-vllm"})
        == "local-rules"
    )
    assert next_cheaper_candidate("contract", "local-rules", selection, catalogue) is None
    # observed costs override catalogue prices
    observed = {"claude-sonnet-4-5": 0.05, "qwen2.5-coder-7b-vllm": 0.06, "local-rules": 0.0}
    assert next_cheaper_candidate("contract", "claude-sonnet-4-5", selection, catalogue, observed) == "local-rules"


def test_welch_bound_matches_formula_and_p_value_duality():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.9, 0.05, 120), rng.normal(0.88, 0.08, 60)
    res = welch_noninferiority(b, a, margin=0.03, confidence=0.95)
    se = np.sqrt(b.var(ddof=1) / 60 + a.var(ddof=1) / 120)
    assert res.diff == pytest.approx(b.mean() - a.mean())
    assert res.diff - 2.0 * se < res.lower_bound < res.diff - 1.6 * se
    assert res.non_inferior == (res.p_value < 0.05)
    boot = bootstrap_noninferiority(b, a, margin=0.03, confidence=0.95)
    assert boot.lower_bound == pytest.approx(res.lower_bound, abs=0.01)


def test_wider_spread_lowers_the_bound():
    tight = welch_noninferiority(np.full(50, 0.9) + np.tile([0.01, -0.01], 25), np.full(100, 0.9) + 0.001 * np.arange(100) % 0.02, 0.03)
    wide = welch_noninferiority(np.full(50, 0.9) + np.tile([0.2, -0.2], 25), np.full(100, 0.9) + 0.001 * np.arange(100) % 0.02, 0.03)
    assert wide.lower_bound < tight.lower_bound
    assert tight.non_inferior and not wide.non_inferior


def test_wilson_interval_known_value():
    low, high = wilson_interval(8, 10, confidence=0.975)  # z = 1.96
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert success_noninferiority(95, 100, 97, 100, margin=0.05).lower_bound < -0.02
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        welch_noninferiority([1.0], [1.0, 2.0], 0.03)
