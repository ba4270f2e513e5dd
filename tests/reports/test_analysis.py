"""Notebook analyses (frontier, model share, learning curve) on the constructed history."""

from __future__ import annotations

import pandas as pd
import pytest

from nodegen.reports.analysis import cost_quality_frontier, daily_model_share, learning_curve

from .conftest import History


def test_frontier_marks_dominated_models(history: History) -> None:
    frontier = cost_quality_frontier(history.stages)
    prd = frontier[frontier["stage"] == "prd_analysis"].set_index("model")
    # same quality, small is 5x cheaper: big is dominated
    assert bool(prd.loc["small", "on_frontier"]) and not bool(prd.loc["big", "on_frontier"])
    contract = frontier[frontier["stage"] == "contract"].set_index("model")
    # cheaper but worse: both are on the frontier
    assert contract["on_frontier"].all()
    assert contract.loc["small", "mean_quality"] == pytest.approx(0.75)
    assert contract.loc["big", "calls"] == 255
    assert list(frontier["stage"].drop_duplicates())[:3] == [
        "prd_analysis",
        "intelligence",
        "contract",
    ]


def test_daily_model_share(history: History) -> None:
    share = daily_model_share(history.stages)
    prd = share[share["stage"] == "prd_analysis"]
    assert prd.groupby("day")["share"].sum().round(9).eq(1.0).all()
    day9 = share[
        (share["stage"] == "contract") & (share["day"] == pd.Timestamp("2025-03-09", tz="UTC"))
    ]
    assert dict(zip(day9["model"], day9["calls"], strict=True)) == {"big": 15, "small": 15}


def test_learning_curve_splits_by_pattern_use(history: History) -> None:
    curve = learning_curve(history.stages, history.generations, bin_size=30)
    assert set(curve["cohort"]) == {"with patterns", "without patterns"}
    assert curve["generation_count"].max() == 300
    # each bin of 30 is one day: 15 generations with patterns (even i), 15 without
    assert (curve["generations"] == 15).all()
    first = curve[curve["generation_count"] == 30].set_index("cohort")["success_rate"]
    # day 1 failures are i in {0, 10, 20}: all even, so all in the "with patterns" cohort
    assert first["with patterns"] == pytest.approx(12 / 15)
    assert first["without patterns"] == pytest.approx(1.0)


def test_empty_inputs(history: History) -> None:
    assert cost_quality_frontier(pd.DataFrame()).empty
    assert daily_model_share(None).empty
    assert learning_curve(None, None).empty
    with pytest.raises(ValueError, match="bin_size"):
        learning_curve(history.stages, history.generations, bin_size=0)
