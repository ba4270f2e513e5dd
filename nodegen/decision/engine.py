"""The model selection engine: metrics frame + routing + history in, migrate/rollback decisions out.

Rules (DESIGN.md, Routing and the decision engine; numbers from model_selection.yaml):
- migrate key K from A to cheaper B when, in the window, A has >= min_current_samples and B
  >= min_candidate_samples; the one-sided lower bound of quality(B) - quality(A) is >= -max_drop
  at the configured confidence (Welch t); the mean drop is <= hard_drop; B saves >= min_cost_saving;
  B's success rate >= the stage threshold; B's p95 latency <= its target; the cheapest admissible
  B wins. Stage-level migration is refused when any node kind with enough samples shows a mean drop
  > hard_drop; such kinds are then judged on their own ("stage:kind" keys).
- rollback after a migration when the migrated model's success rate falls under the stage threshold,
  or its mean quality drops > rollback.max_quality_drop against the pre-migration baseline kept
  in the migrate decision's evidence, over the rollback window, with >= rollback.min_samples.
- no flapping: a rolled-back model is not migrated to again until cooldown has passed AND it has
  >= min_candidate_samples new samples after the rollback (only those are judged).
The engine is pure: it writes nothing, the caller stores decisions and applies them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np
import pandas as pd

from nodegen.config import (
    Candidate,
    DecisionMode,
    ModelCatalogue,
    ModelSelectionConfig,
    StageRouting,
)
from nodegen.decision.canary import expected_cost
from nodegen.decision.frame import normalize_metrics
from nodegen.decision.stats import welch_noninferiority, wilson_interval
from nodegen.errors import ConfigError
from nodegen.records import DecisionKind, ModelSelectionDecision
from nodegen.stages import Stage

EFFECTIVE_STATUSES = frozenset({"applied", "approved"})
STATUS_BY_MODE = {
    DecisionMode.AUTOMATIC: "applied",
    DecisionMode.DRY_RUN: "recommended",
    DecisionMode.APPROVAL: "pending",
}
REPEAT_SUPPRESSION = timedelta(hours=24)


class QualityOrdering(Protocol):
    """What the engine needs from a predictor: an expected quality to order candidates."""

    def expected_quality(self, stage: str, model: str, node_kind: str | None = None) -> float | None: ...


def split_key(key: str) -> tuple[str, str | None]:
    stage, _, kind = key.partition(":")
    return stage, (kind or None)


def decision_key(decision: ModelSelectionDecision) -> str:
    stage = decision.stage.value
    return f"{stage}:{decision.node_kind}" if decision.node_kind else stage


def apply_decisions(
    routing: Mapping[str, str],
    decisions: Iterable[ModelSelectionDecision],
    statuses: Iterable[str] = EFFECTIVE_STATUSES,
) -> dict[str, str]:
    """A new routing dict with the effective (applied/approved) decisions applied in time order."""
    allowed = set(statuses)
    new = dict(routing)
    for decision in sorted(decisions, key=lambda d: d.timestamp):
        if decision.status in allowed and decision.kind in (DecisionKind.MIGRATE, DecisionKind.ROLLBACK):
            new[decision_key(decision)] = decision.new_model
    return new


def _ensure_aware(now: datetime) -> pd.Timestamp:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware (UTC)")
    return pd.Timestamp(now).tz_convert("UTC")


def _p95(values: np.ndarray) -> float | None:
    return float(np.percentile(values, 95)) if len(values) else None


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(value, digits)


class DecisionEngine:
    """Evaluate routing keys against the metrics and propose migrations and rollbacks."""

    def __init__(
        self,
        selection: ModelSelectionConfig,
        catalogue: ModelCatalogue | None = None,
        predictor: QualityOrdering | None = None,
    ) -> None:
        self.selection = selection
        self.catalogue = catalogue
        self.predictor = predictor

    # ---- helpers over the frame ------------------------------------------------------------
    def _current_model(self, routing: Mapping[str, str], stage: str, kind: str | None) -> str:
        if kind and f"{stage}:{kind}" in routing:
            return routing[f"{stage}:{kind}"]
        if stage in routing:
            return routing[stage]
        return self.selection.routing_for(Stage(stage)).by_priority()[0].model

    @staticmethod
    def _key_rows(frame: pd.DataFrame, routing: Mapping[str, str], key: str) -> pd.DataFrame:
        """Rows served under `key`: its kind, or for a stage key every kind without an override."""
        stage, kind = split_key(key)
        rows = frame[frame["stage"] == stage]
        if kind is not None:
            return rows[rows["node_kind"] == kind]
        overridden = {k.partition(":")[2] for k in routing if k.startswith(f"{stage}:")}
        if overridden:
            rows = rows[~rows["node_kind"].isin(overridden)]
        return rows

    def observed_costs(self, frame: pd.DataFrame, now: datetime) -> dict[str, dict[str, float]]:
        """stage -> model -> mean cost per call over the migration window."""
        frame = normalize_metrics(frame)
        ts = _ensure_aware(now)
        window = frame[
            (frame["timestamp"] > ts - timedelta(hours=self.selection.migration.window_hours))
            & (frame["timestamp"] <= ts)
        ]
        costs: dict[str, dict[str, float]] = {}
        for (stage, model), group in window.groupby(["stage", "model_used"]):
            costs.setdefault(str(stage), {})[str(model)] = float(group["cost_usd"].mean())
        return costs

    def _keys(self, frame: pd.DataFrame, routing: Mapping[str, str]) -> list[str]:
        keys: list[str] = []
        for stage in self.selection.stages:
            keys.append(stage.value)
            kinds = {k.partition(":")[2] for k in routing if k.startswith(f"{stage.value}:")}
            if self.selection.migration.per_node_kind:
                present = frame.loc[frame["stage"] == stage.value, "node_kind"].dropna().unique()
                kinds |= {str(k) for k in present}
            keys.extend(f"{stage.value}:{k}" for k in sorted(kinds))
        return keys

    @staticmethod
    def _key_history(history: Sequence[ModelSelectionDecision], key: str) -> list[ModelSelectionDecision]:
        return sorted((d for d in history if decision_key(d) == key), key=lambda d: d.timestamp)

    @staticmethod
    def _guard_history(history: Sequence[ModelSelectionDecision], key: str) -> list[ModelSelectionDecision]:
        """Decisions whose rollbacks bind `key`: its own, and for a kind key its stage's as well
        (a model rolled back for the whole stage must not come back through a kind key)."""
        stage, _ = split_key(key)
        return sorted(
            (d for d in history if decision_key(d) in (key, stage)), key=lambda d: d.timestamp
        )

    def _last_rollback_from(
        self, key_history: list[ModelSelectionDecision], model: str
    ) -> ModelSelectionDecision | None:
        rollbacks = [
            d
            for d in key_history
            if d.kind == DecisionKind.ROLLBACK and d.previous_model == model and d.status in EFFECTIVE_STATUSES
        ]
        return rollbacks[-1] if rollbacks else None

    # ---- rollback ---------------------------------------------------------------------------
    def _check_rollback(
        self,
        key: str,
        rows: pd.DataFrame,
        current: str,
        key_history: list[ModelSelectionDecision],
        stage_routing: StageRouting,
        now: pd.Timestamp,
    ) -> ModelSelectionDecision | None:
        effective = [d for d in key_history if d.status in EFFECTIVE_STATUSES and d.kind != DecisionKind.CANARY]
        if not effective:
            return None
        last = effective[-1]
        if last.kind != DecisionKind.MIGRATE or last.new_model != current:
            return None
        rules = self.selection.rollback
        since = max(pd.Timestamp(last.timestamp), now - timedelta(hours=rules.window_hours))
        watched = rows[(rows["model_used"] == current) & (rows["timestamp"] > since) & (rows["timestamp"] <= now)]
        n = len(watched)
        if n < rules.min_samples:
            return None
        success_rate = float(watched["success"].mean())
        mean_quality = float(watched["quality_score"].mean())
        baseline = last.evidence.get("baseline_quality")
        reasons = []
        if success_rate < stage_routing.success_threshold:
            reasons.append(
                f"success rate {success_rate:.3f} under the stage threshold {stage_routing.success_threshold:.3f}"
            )
        if baseline is not None and float(baseline) - mean_quality > rules.max_quality_drop:
            reasons.append(
                f"mean quality {mean_quality:.3f} dropped {float(baseline) - mean_quality:.3f} "
                f"> {rules.max_quality_drop:.3f} below the pre-migration baseline {float(baseline):.3f}"
            )
        if not reasons:
            return None
        stage, kind = split_key(key)
        return ModelSelectionDecision(
            stage=Stage(stage),
            node_kind=kind,
            previous_model=current,
            new_model=last.previous_model,
            kind=DecisionKind.ROLLBACK,
            reason=f"rollback {current} -> {last.previous_model}: " + "; ".join(reasons),
            expected_quality=_round(float(baseline)) if baseline is not None else None,
            evidence={
                "samples": n,
                "since": since.isoformat(),
                "window_hours": rules.window_hours,
                "success_rate": _round(success_rate),
                "mean_quality": _round(mean_quality),
                "baseline_quality": baseline,
                "migration_decision_id": last.decision_id,
                "migrated_at": pd.Timestamp(last.timestamp).isoformat(),
            },
            timestamp=now.to_pydatetime(),
        )

    # ---- migration --------------------------------------------------------------------------
    def _evaluate_candidate(
        self,
        key: str,
        rows: pd.DataFrame,
        current: str,
        cur_rows: pd.DataFrame,
        cand: Candidate,
        stage_routing: StageRouting,
        guard_history: list[ModelSelectionDecision],
        costs: Mapping[str, float],
        confidence: float,
        now: pd.Timestamp,
        check_kinds: bool,
    ) -> tuple[bool, list[str], dict[str, Any]]:
        rules = self.selection.migration
        reasons: list[str] = []
        ev: dict[str, Any] = {"model": cand.model}
        cost_a = expected_cost(current, self.catalogue, costs)
        cost_b = expected_cost(cand.model, self.catalogue, costs)
        ev.update(cost_current=_round(cost_a, 8), cost_candidate=_round(cost_b, 8))
        if cost_a is None or cost_b is None:
            return False, ["cost unknown"], ev
        saving = (cost_a - cost_b) / cost_a * 100 if cost_a > 0 else 0.0
        ev["saving_pct"] = _round(saving, 3)
        if saving < rules.min_cost_saving_pct:
            return False, [f"saving {saving:.1f}% < {rules.min_cost_saving_pct:.0f}%"], ev

        cand_rows = rows[rows["model_used"] == cand.model]
        rollback = self._last_rollback_from(guard_history, cand.model)
        if rollback is not None:
            t_rb = pd.Timestamp(rollback.timestamp)
            ev["rolled_back_at"] = t_rb.isoformat()
            if now - t_rb < timedelta(hours=self.selection.rollback.cooldown_hours):
                reasons.append(f"cooling down after rollback at {t_rb.isoformat()}")
            cand_rows = cand_rows[cand_rows["timestamp"] > t_rb]
        n_b = len(cand_rows)
        ev["samples_candidate"] = n_b
        if n_b < rules.min_candidate_samples:
            reasons.append(f"candidate has {n_b} < {rules.min_candidate_samples} samples")
            return False, reasons, ev

        q_b = cand_rows["quality_score"].to_numpy(float)
        q_a = cur_rows["quality_score"].to_numpy(float)
        test = welch_noninferiority(q_b, q_a, rules.max_quality_drop, confidence)
        success_b = float(cand_rows["success"].mean())
        s_low, s_high = wilson_interval(int(cand_rows["success"].sum()), n_b, confidence)
        target = cand.latency_target_ms or stage_routing.latency_target_ms
        p95_b = _p95(cand_rows["latency_ms"].to_numpy(float))
        ev.update(
            mean_quality_candidate=_round(test.mean_candidate),
            mean_quality_current=_round(test.mean_current),
            quality_diff=_round(test.diff),
            lower_bound=_round(test.lower_bound),
            p_value=_round(test.p_value, 8),
            method=test.method,
            confidence=confidence,
            success_rate_candidate=_round(success_b),
            success_wilson_candidate=[_round(s_low), _round(s_high)],
            latency_p95_candidate_ms=_round(p95_b, 1),
            latency_mean_candidate_ms=_round(float(cand_rows["latency_ms"].mean()), 1),
            latency_target_ms=target,
        )
        if -test.diff > rules.hard_quality_drop:
            reasons.append(f"mean drop {-test.diff:.3f} > hard limit {rules.hard_quality_drop:.3f}")
        if not test.non_inferior:
            reasons.append(
                f"lower bound {test.lower_bound:.4f} of the quality difference < -{rules.max_quality_drop:.3f} "
                f"at {confidence:.3f} confidence"
            )
        if test.mean_candidate < stage_routing.quality_threshold:
            reasons.append(
                f"mean quality {test.mean_candidate:.3f} < stage threshold {stage_routing.quality_threshold:.3f}"
            )
        if success_b < stage_routing.success_threshold:
            reasons.append(f"success rate {success_b:.3f} < threshold {stage_routing.success_threshold:.3f}")
        if target is not None and p95_b is not None and p95_b > target:
            reasons.append(f"p95 latency {p95_b:.0f} ms > target {target:.0f} ms")
        if check_kinds and rules.per_node_kind:
            bad_kinds = {}
            for kind, kind_b in cand_rows.groupby("node_kind"):
                kind_a = cur_rows[cur_rows["node_kind"] == kind]
                if len(kind_b) >= rules.min_candidate_samples and len(kind_a) >= rules.min_current_samples:
                    drop = float(kind_a["quality_score"].mean() - kind_b["quality_score"].mean())
                    if drop > rules.hard_quality_drop:
                        bad_kinds[str(kind)] = round(drop, 4)
            if bad_kinds:
                ev["kinds_over_hard_drop"] = bad_kinds
                reasons.append(f"node kinds {sorted(bad_kinds)} drop > {rules.hard_quality_drop:.3f}")
        return not reasons, reasons, ev

    def _check_migration(
        self,
        key: str,
        rows: pd.DataFrame,
        current: str,
        stage_routing: StageRouting,
        guard_history: list[ModelSelectionDecision],
        costs: Mapping[str, float],
        confidence: float,
        now: pd.Timestamp,
    ) -> tuple[ModelSelectionDecision | None, dict[str, Any]]:
        rules = self.selection.migration
        window = rows[(rows["timestamp"] > now - timedelta(hours=rules.window_hours)) & (rows["timestamp"] <= now)]
        cur_rows = window[window["model_used"] == current]
        summary: dict[str, Any] = {"key": key, "current": current, "samples_current": len(cur_rows)}
        if len(cur_rows) < rules.min_current_samples:
            summary["skipped"] = f"current has {len(cur_rows)} < {rules.min_current_samples} samples"
            return None, summary
        stage, kind = split_key(key)
        admissible: list[tuple[float, float, str, dict[str, Any]]] = []
        summary["candidates"] = {}
        for cand in stage_routing.candidates:
            if cand.model == current:
                continue
            ok, reasons, ev = self._evaluate_candidate(
                key, window, current, cur_rows, cand, stage_routing, guard_history, costs, confidence, now,
                check_kinds=kind is None,
            )
            predicted = self.predictor.expected_quality(stage, cand.model, kind) if self.predictor else None
            ev["predicted_quality"] = _round(predicted)
            summary["candidates"][cand.model] = {"admissible": ok, "reasons": reasons, **ev}
            if ok:
                admissible.append((float(ev["cost_candidate"]), -(predicted or 0.0), cand.model, ev))
        if not admissible:
            return None, summary
        admissible.sort(key=lambda item: (item[0], item[1]))
        _, _, model, ev = admissible[0]
        evidence = {
            **ev,
            "samples_current": len(cur_rows),
            "baseline_quality": ev["mean_quality_current"],
            "success_rate_current": _round(float(cur_rows["success"].mean())),
            "latency_p95_current_ms": _round(_p95(cur_rows["latency_ms"].to_numpy(float)), 1),
            "window_hours": rules.window_hours,
            "max_quality_drop": rules.max_quality_drop,
            "admissible": [m for *_, m, _ in admissible],
        }
        decision = ModelSelectionDecision(
            stage=Stage(stage),
            node_kind=kind,
            previous_model=current,
            new_model=model,
            kind=DecisionKind.MIGRATE,
            reason=(
                f"migrate {current} -> {model}: quality {ev['mean_quality_candidate']:.3f} vs "
                f"{ev['mean_quality_current']:.3f} (lower bound of difference {ev['lower_bound']:.4f} >= "
                f"-{rules.max_quality_drop:.3f} at {confidence:.3f}), saves {ev['saving_pct']:.1f}%"
            ),
            expected_quality=ev["mean_quality_candidate"],
            expected_cost_savings_pct=ev["saving_pct"],
            evidence=evidence,
            timestamp=now.to_pydatetime(),
        )
        return decision, summary

    # ---- public API -------------------------------------------------------------------------
    def evaluate(
        self,
        frame: pd.DataFrame,
        routing: Mapping[str, str],
        now: datetime,
        history: Sequence[ModelSelectionDecision] = (),
    ) -> tuple[list[ModelSelectionDecision], list[dict[str, Any]]]:
        """Decisions plus a per-key evaluation report (why each candidate was or was not admitted)."""
        ts = _ensure_aware(now)
        frame = normalize_metrics(frame)
        frame = frame[frame["timestamp"] <= ts]
        costs = self.observed_costs(frame, now) if len(frame) else {}
        status = STATUS_BY_MODE[self.selection.mode]
        decisions: list[ModelSelectionDecision] = []
        report: list[dict[str, Any]] = []
        migrated_stages: set[str] = set()
        keys = self._keys(frame, routing)
        n_kind_keys = max(1, sum(1 for k in keys if ":" in k))
        for key in keys:
            stage, kind = split_key(key)
            stage_routing = self.selection.routing_for(Stage(stage))
            current = self._current_model(routing, stage, kind)
            key_history = self._key_history(history, key)
            rows = self._key_rows(frame, routing, key)
            if kind is not None and key not in routing and stage in migrated_stages:
                continue  # follows the stage key that just migrated
            decision = self._check_rollback(key, rows, current, key_history, stage_routing, ts)
            if decision is None:
                confidence = self.selection.migration.confidence
                if kind is not None:
                    # Bonferroni across kinds: many per-kind tests must not multiply false migrations.
                    confidence = 1 - (1 - confidence) / n_kind_keys
                decision, summary = self._check_migration(
                    key, rows, current, stage_routing, self._guard_history(history, key),
                    costs.get(stage, {}), confidence, ts,
                )
                report.append(summary)
            if decision is None:
                continue
            decision.status = status
            if kind is None and decision.kind == DecisionKind.MIGRATE:
                # Set before the repeat check: a suppressed stage recommendation still stands, so
                # its kinds must not be recommended the same move one by one.
                migrated_stages.add(stage)
            if status not in EFFECTIVE_STATUSES and self._repeats(decision, key_history, ts):
                continue
            decisions.append(decision)
        return decisions, report

    @staticmethod
    def _repeats(decision: ModelSelectionDecision, key_history: list[ModelSelectionDecision], now: pd.Timestamp) -> bool:
        return any(
            d.kind == decision.kind
            and d.previous_model == decision.previous_model
            and d.new_model == decision.new_model
            and d.status == decision.status
            and now - pd.Timestamp(d.timestamp) < REPEAT_SUPPRESSION
            for d in key_history
        )

    def decide(
        self,
        frame: pd.DataFrame,
        routing: Mapping[str, str],
        now: datetime,
        history: Sequence[ModelSelectionDecision] = (),
    ) -> list[ModelSelectionDecision]:
        """Migrations and rollbacks for this evaluation; statuses follow the configured mode."""
        return self.evaluate(frame, routing, now, history)[0]

    def canary_exclusions(
        self,
        frame: pd.DataFrame,
        routing: Mapping[str, str],
        now: datetime,
        history: Sequence[ModelSelectionDecision] = (),
    ) -> dict[str, set[str]]:
        """routing key -> models the canary should skip: rolled back and cooling down, or already
        shown clearly worse (>= min samples and mean drop > hard limit) in the current window."""
        ts = _ensure_aware(now)
        frame = normalize_metrics(frame)
        rules = self.selection.migration
        window = frame[(frame["timestamp"] > ts - timedelta(hours=rules.window_hours)) & (frame["timestamp"] <= ts)]
        out: dict[str, set[str]] = {}
        keys = [k for k in self._keys(window, routing) if ":" not in k or k in routing]
        for key in keys:
            stage, kind = split_key(key)
            current = self._current_model(routing, stage, kind)
            guard_history = self._guard_history(history, key)
            rows = self._key_rows(window, routing, key)
            cur_q = rows.loc[rows["model_used"] == current, "quality_score"]
            excluded: set[str] = set()
            for cand in self.selection.routing_for(Stage(stage)).candidates:
                cand_rows = rows[rows["model_used"] == cand.model]
                rollback = self._last_rollback_from(guard_history, cand.model)
                if rollback is not None:
                    t_rb = pd.Timestamp(rollback.timestamp)
                    if ts - t_rb < timedelta(hours=self.selection.rollback.cooldown_hours):
                        excluded.add(cand.model)
                        continue
                    cand_rows = cand_rows[cand_rows["timestamp"] > t_rb]
                if (
                    cand.model != current
                    and len(cand_rows) >= rules.min_candidate_samples
                    and len(cur_q) >= rules.min_candidate_samples
                    and float(cur_q.mean() - cand_rows["quality_score"].mean()) > rules.hard_quality_drop
                ):
                    excluded.add(cand.model)
            out[key] = excluded
        return out


def selection_for_stages(
    stages_models: Mapping[str, Sequence[str]],
    base: ModelSelectionConfig | None = None,
    quality_threshold: float = 0.0,
    success_thresholds: Mapping[str, float] | None = None,
) -> ModelSelectionConfig:
    """A selection config listing the given models per stage (first = priority 0); rules from base."""
    base = base or ModelSelectionConfig()
    stages: dict[Stage, StageRouting] = {}
    for stage, models in stages_models.items():
        try:
            stage_enum = Stage(stage)
        except ValueError:
            raise ConfigError(f"unknown stage {stage!r}; expected one of {[s.value for s in Stage]}") from None
        stages[stage_enum] = StageRouting(
            candidates=[Candidate(model=m, priority=i) for i, m in enumerate(models)],
            quality_threshold=quality_threshold,
            success_threshold=(success_thresholds or {}).get(stage, 0.0),
        )
    return base.model_copy(update={"stages": stages})
