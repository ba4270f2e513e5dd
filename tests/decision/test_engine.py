"""Decision tables for the migration / rollback engine on constructed metrics."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from nodegen.config import DecisionMode, MigrationRules
from nodegen.decision.engine import DecisionEngine, apply_decisions
from nodegen.records import DecisionKind, ModelSelectionDecision
from nodegen.stages import Stage

CUR, CAND, FREE = "claude-sonnet-4-5", "qwen2.5-coder-7b-vllm", "local-rules"
ROUTING = {"contract": CUR}


def frame(*parts: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True)


def migrate_record(now, hours_ago: float, baseline: float = 0.95) -> ModelSelectionDecision:
    return ModelSelectionDecision(
        stage=Stage.CONTRACT, previous_model=CUR, new_model=CAND, kind=DecisionKind.MIGRATE,
        reason="test", evidence={"baseline_quality": baseline}, timestamp=now - timedelta(hours=hours_ago),
    )


def rollback_record(now, hours_ago: float) -> ModelSelectionDecision:
    return ModelSelectionDecision(
        stage=Stage.CONTRACT, previous_model=CAND, new_model=CUR, kind=DecisionKind.ROLLBACK,
        reason="test", timestamp=now - timedelta(hours=hours_ago),
    )


@pytest.mark.parametrize(("n_cur", "n_cand"), [(99, 200), (200, 49), (10, 10)])
def test_no_migration_below_sample_minimums(rows, selection, now, n_cur, n_cand):
    data = frame(rows(CUR, n_cur, 0.95), rows(CAND, n_cand, 0.95, cost=0.002))
    assert DecisionEngine(selection).decide(data, ROUTING, now, []) == []


def test_migration_when_all_conditions_hold(rows, selection, now):
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 80, 0.945, cost=0.002))
    [decision] = DecisionEngine(selection).decide(data, ROUTING, now, [])
    assert (decision.kind, decision.previous_model, decision.new_model) == (DecisionKind.MIGRATE, CUR, CAND)
    assert decision.status == "applied" and decision.node_kind is None
    ev = decision.evidence
    assert ev["samples_current"] == 200 and ev["samples_candidate"] == 80
    assert ev["lower_bound"] >= -0.03 and ev["lower_bound"] < ev["quality_diff"]
    assert ev["saving_pct"] == pytest.approx(96.0)
    assert ev["baseline_quality"] == pytest.approx(ev["mean_quality_current"])
    assert 0 <= ev["p_value"] < 0.05
    assert decision.expected_cost_savings_pct == pytest.approx(96.0)
    assert apply_decisions(ROUTING, [decision]) == {"contract": CAND}


def test_noisy_candidate_whose_mean_passes_but_bound_does_not(rows, selection, now):
    noisy = rows(CAND, 60, 0.0, cost=0.002)
    noisy["quality_score"] = [0.6] * 11 + [1.0] * 49  # mean 0.927: within 0.03, but spread wide
    data = frame(rows(CUR, 200, 0.94), noisy)
    engine = DecisionEngine(selection)
    decisions, report = engine.evaluate(data, ROUTING, now, [])
    assert decisions == []
    verdict = report[0]["candidates"][CAND]
    assert -verdict["quality_diff"] <= 0.03  # the mean alone would pass
    assert verdict["lower_bound"] < -0.03
    assert any("lower bound" in r for r in verdict["reasons"])


def test_no_migration_when_saving_under_half(rows, selection, now):
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 80, 0.95, cost=0.03))
    decisions, report = DecisionEngine(selection).evaluate(data, ROUTING, now, [])
    assert decisions == []
    assert "saving" in report[0]["candidates"][CAND]["reasons"][0]


def test_no_migration_when_latency_target_missed(rows, selection, now):
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 80, 0.95, cost=0.002, latency=8000))
    decisions, report = DecisionEngine(selection).evaluate(data, ROUTING, now, [])
    assert decisions == []
    assert any("latency" in r for r in report[0]["candidates"][CAND]["reasons"])


def test_never_when_mean_drop_exceeds_hard_limit(rows, selection, now):
    loose = selection.model_copy(update={"migration": MigrationRules(max_quality_drop=0.2)})
    data = frame(rows(CUR, 400, 0.95, sd=0.01), rows(CAND, 400, 0.89, sd=0.01, cost=0.002))
    decisions, report = DecisionEngine(loose).evaluate(data, ROUTING, now, [])
    assert decisions == []
    assert any("hard limit" in r for r in report[0]["candidates"][CAND]["reasons"])


def test_no_migration_under_success_threshold(rows, selection, now):
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 80, 0.95, cost=0.002, success=0.85))
    assert DecisionEngine(selection).decide(data, ROUTING, now, []) == []


def test_cheapest_admissible_candidate_wins(rows, selection, now):
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 80, 0.95, cost=0.002), rows(FREE, 80, 0.95, cost=0.0))
    [decision] = DecisionEngine(selection).decide(data, ROUTING, now, [])
    assert decision.new_model == FREE
    assert set(decision.evidence["admissible"]) == {CAND, FREE}


def test_samples_outside_window_do_not_count(rows, selection, now):
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 80, 0.95, cost=0.002, hours=(200, 300)))
    assert DecisionEngine(selection).decide(data, ROUTING, now, []) == []


@pytest.mark.parametrize(("mode", "status"), [(DecisionMode.DRY_RUN, "recommended"), (DecisionMode.APPROVAL, "pending")])
def test_modes_set_status_and_are_not_applied(rows, selection, now, mode, status):
    engine = DecisionEngine(selection.model_copy(update={"mode": mode}))
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 80, 0.945, cost=0.002))
    [decision] = engine.decide(data, ROUTING, now, [])
    assert decision.status == status
    assert apply_decisions(ROUTING, [decision]) == ROUTING
    # the same recommendation is not repeated at the next evaluation
    assert engine.decide(data, ROUTING, now + timedelta(hours=6), [decision]) == []
    decision.status = "approved"
    assert apply_decisions(ROUTING, [decision]) == {"contract": CAND}


def test_rollback_after_quality_degradation(rows, selection, now):
    history = [migrate_record(now, 30, baseline=0.95)]
    data = frame(rows(CUR, 200, 0.95, hours=(31, 100)), rows(CAND, 40, 0.86, cost=0.002, hours=(0.5, 20)))
    [decision] = DecisionEngine(selection).decide(data, {"contract": CAND}, now, history)
    assert (decision.kind, decision.previous_model, decision.new_model) == (DecisionKind.ROLLBACK, CAND, CUR)
    assert decision.evidence["samples"] == 40 and decision.evidence["baseline_quality"] == 0.95
    assert "baseline" in decision.reason
    assert apply_decisions({"contract": CAND}, [decision]) == {"contract": CUR}


def test_rollback_after_success_rate_falls(rows, selection, now):
    history = [migrate_record(now, 30)]
    data = rows(CAND, 40, 0.95, cost=0.002, success=0.8, hours=(0.5, 20))
    [decision] = DecisionEngine(selection).decide(data, {"contract": CAND}, now, history)
    assert decision.kind == DecisionKind.ROLLBACK and "success rate" in decision.reason


@pytest.mark.parametrize(("n", "quality"), [(40, 0.94), (19, 0.80)])
def test_no_rollback_when_healthy_or_too_few_samples(rows, selection, now, n, quality):
    history = [migrate_record(now, 30)]
    data = rows(CAND, n, quality, cost=0.002, hours=(0.5, 20))
    decisions = DecisionEngine(selection).decide(data, {"contract": CAND}, now, history)
    assert [d for d in decisions if d.kind == DecisionKind.ROLLBACK] == []


def test_rollback_ignores_samples_from_before_the_migration(rows, selection, now):
    history = [migrate_record(now, 10)]
    data = frame(rows(CAND, 40, 0.80, cost=0.002, hours=(11, 20)), rows(CAND, 25, 0.95, cost=0.002, hours=(0.5, 9)))
    assert DecisionEngine(selection).decide(data, {"contract": CAND}, now, history) == []


def test_no_flapping_during_cooldown(rows, selection, now):
    history = [migrate_record(now, 60), rollback_record(now, 10)]
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 120, 0.95, cost=0.002, hours=(0.5, 9)))
    decisions, report = DecisionEngine(selection).evaluate(data, ROUTING, now, history)
    assert decisions == []
    assert any("cooling down" in r for r in report[0]["candidates"][CAND]["reasons"])


def test_no_remigration_without_new_samples_after_cooldown(rows, selection, now):
    history = [migrate_record(now, 150), rollback_record(now, 100)]
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 120, 0.95, cost=0.002, hours=(101, 140)))
    assert DecisionEngine(selection).decide(data, ROUTING, now, history) == []


def test_remigration_after_cooldown_with_new_evidence(rows, selection, now):
    history = [migrate_record(now, 150), rollback_record(now, 100)]
    data = frame(rows(CUR, 200, 0.95), rows(CAND, 60, 0.95, cost=0.002, hours=(0.5, 90)))
    [decision] = DecisionEngine(selection).decide(data, ROUTING, now, history)
    assert decision.new_model == CAND and decision.evidence["samples_candidate"] == 60


def test_stage_rollback_binds_kind_keys(rows, selection, now):
    history = [migrate_record(now, 60), rollback_record(now, 10)]
    data = frame(
        rows(CUR, 200, 0.95, kind="compute"), rows(CAND, 120, 0.95, cost=0.002, hours=(0.5, 9), kind="compute")
    )
    assert DecisionEngine(selection).decide(data, ROUTING, now, history) == []


def test_per_kind_migration_when_evidence_differs_by_kind(rows, selection, now):
    data = frame(
        rows(CUR, 300, 0.95, kind="compute"),
        rows(CUR, 300, 0.95, kind="effect"),
        rows(CAND, 150, 0.95, cost=0.002, kind="compute"),
        rows(CAND, 150, 0.85, cost=0.002, kind="effect"),
    )
    decisions, report = DecisionEngine(selection).evaluate(data, ROUTING, now, [])
    assert [(d.node_kind, d.new_model) for d in decisions] == [("compute", CAND)]
    stage_verdict = report[0]["candidates"][CAND]
    assert "effect" in stage_verdict["kinds_over_hard_drop"]
    new = apply_decisions(ROUTING, decisions)
    assert new == {"contract": CUR, "contract:compute": CAND}


def test_naive_now_is_rejected(rows, selection, now):
    with pytest.raises(ValueError, match="timezone-aware"):
        DecisionEngine(selection).decide(rows(CUR, 5, 0.9), ROUTING, now.replace(tzinfo=None), [])
