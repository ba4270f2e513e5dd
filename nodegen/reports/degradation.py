"""Quality-degradation detection: last 24 h against the 7 days before, per stage.

A sensor evaluates this every tick; `AlertState` makes each alert fire once per
(stage, window-start day) or, when a migration explains the drop, once per (stage, migration),
instead of on every tick while the drop persists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from nodegen.reports import frames as fr
from nodegen.reports.quality_report import _stage_sort_key

RECENT = timedelta(hours=24)
BASELINE = timedelta(days=7)


class MigrationRef(BaseModel):
    """The migration that most plausibly explains a drop (made within the compared window)."""

    model_config = ConfigDict(extra="forbid")

    decision_id: str
    timestamp: datetime
    previous_model: str
    new_model: str
    kind: str


class QualityAlert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str
    recent_mean: float
    baseline_mean: float
    drop: float
    samples: int = Field(description="stage calls in the last 24 h")
    baseline_samples: int
    window_start: datetime = Field(description="start of the recent (24 h) window")
    evaluated_at: datetime
    current_model: str | None = Field(description="the model serving most recent calls")
    recent_migration: MigrationRef | None = None
    recommended_action: str

    @property
    def key(self) -> str:
        """Dedup key: once per (stage, migration) or, unexplained, per (stage, window-start day)."""
        if self.recent_migration is not None:
            return f"{self.stage}|migration:{self.recent_migration.decision_id}"
        return f"{self.stage}|day:{self.window_start.date().isoformat()}"

    def message(self) -> str:
        text = (
            f"quality of stage {self.stage} dropped by {self.drop:.3f} "
            f"({self.baseline_mean:.3f} -> {self.recent_mean:.3f}, {self.samples} calls in 24 h)"
        )
        return f"{text}; recommended: {self.recommended_action}"


def _require_aware(now: datetime) -> pd.Timestamp:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (UTC), got a naive datetime")
    return pd.Timestamp(now).tz_convert("UTC")


def _explaining_migration(
    decisions: pd.DataFrame, stage: str, since: pd.Timestamp, now: pd.Timestamp
) -> MigrationRef | None:
    """Latest migration of `stage` in (since, now] not already undone by a later rollback."""
    d = decisions[(decisions["stage"] == stage) & (decisions["timestamp"] <= now)]
    if d.empty:
        return None
    d = d.sort_values("timestamp")
    migrations = d[(d["kind"] == "migrate") & (d["timestamp"] > since)]
    if migrations.empty:
        return None
    last = migrations.iloc[-1]
    later = d[(d["timestamp"] > last["timestamp"]) & (d["kind"] == "rollback")]
    if not later.empty:
        return None
    return MigrationRef(
        decision_id=str(last["decision_id"]),
        timestamp=fr.to_py(last["timestamp"]),
        previous_model=str(last["previous_model"]),
        new_model=str(last["new_model"]),
        kind=str(last["kind"]),
    )


def detect_degradation(
    frame: pd.DataFrame | None,
    decisions: pd.DataFrame | None,
    now: datetime,
    min_samples: int = 20,
    threshold: float = 0.05,
) -> list[QualityAlert]:
    """Per stage: alert when mean quality of the last 24 h is more than `threshold` below the
    mean of the 7 days before it, with at least `min_samples` calls in each window."""
    if min_samples < 1:
        raise ValueError(f"min_samples must be >= 1, got {min_samples}")
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    now_ts = _require_aware(now)
    recent_start = now_ts - RECENT
    baseline_start = recent_start - BASELINE
    stages = fr.stage_frame(frame)
    decs = fr.decisions_frame(decisions)

    ts = stages["timestamp"]
    in_recent = (ts > recent_start) & (ts <= now_ts)
    in_baseline = (ts > baseline_start) & (ts <= recent_start)
    recent = stages[in_recent]
    baseline = stages[in_baseline]
    if recent.empty or baseline.empty:
        return []
    r = recent.groupby("stage")["quality_score"].agg(["mean", "size"])
    b = baseline.groupby("stage")["quality_score"].agg(["mean", "size"])

    alerts: list[QualityAlert] = []
    for stage in sorted(set(r.index) & set(b.index), key=_stage_sort_key):
        r_mean, r_n = float(r.loc[stage, "mean"]), int(r.loc[stage, "size"])
        b_mean, b_n = float(b.loc[stage, "mean"]), int(b.loc[stage, "size"])
        drop = b_mean - r_mean
        if r_n < min_samples or b_n < min_samples or drop <= threshold:
            continue
        models = recent.loc[recent["stage"] == stage, "model_used"].value_counts()
        current = str(models.index[0]) if len(models) else None
        migration = _explaining_migration(decs, stage, baseline_start, now_ts)
        if migration is not None:
            action = (
                f"roll back stage {stage} from {migration.new_model} to {migration.previous_model}"
            )
        else:
            action = f"investigate model {current} on stage {stage}"
        alerts.append(
            QualityAlert(
                stage=str(stage),
                recent_mean=r_mean,
                baseline_mean=b_mean,
                drop=drop,
                samples=r_n,
                baseline_samples=b_n,
                window_start=fr.to_py(recent_start),
                evaluated_at=fr.to_py(now_ts),
                current_model=current,
                recent_migration=migration,
                recommended_action=action,
            )
        )
    return alerts


def new_alerts(
    alerts: Iterable[QualityAlert], already_sent_keys: Iterable[str]
) -> list[QualityAlert]:
    """The alerts whose key has not been sent yet (and no duplicate keys among them)."""
    seen = set(already_sent_keys)
    out = []
    for alert in alerts:
        if alert.key in seen:
            continue
        seen.add(alert.key)
        out.append(alert)
    return out


class AlertState(BaseModel):
    """Keys already alerted, with when; small enough to live in a Dagster sensor cursor."""

    model_config = ConfigDict(extra="forbid")

    sent: dict[str, datetime] = Field(default_factory=dict)
    retention: timedelta = timedelta(days=14)

    def pending(self, alerts: Iterable[QualityAlert], now: datetime) -> list[QualityAlert]:
        """The alerts not sent yet; forgets keys older than `retention` first."""
        now_ts = fr.to_py(_require_aware(now))
        self.sent = {k: t for k, t in self.sent.items() if now_ts - t <= self.retention}
        return new_alerts(alerts, self.sent)

    def mark_sent(self, alert: QualityAlert, now: datetime) -> None:
        """Record a delivered alert (call after the sink succeeded, so failures retry next tick)."""
        self.sent[alert.key] = fr.to_py(_require_aware(now))

    def select_new(self, alerts: Iterable[QualityAlert], now: datetime) -> list[QualityAlert]:
        """`pending` and `mark_sent` in one step, for callers that do not track delivery."""
        fresh = self.pending(alerts, now)
        for alert in fresh:
            self.mark_sent(alert, now)
        return fresh

    def to_cursor(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_cursor(cls, cursor: str | None) -> AlertState:
        """Restore from a cursor string; None or empty starts fresh."""
        if not cursor:
            return cls()
        return cls.model_validate_json(cursor)
