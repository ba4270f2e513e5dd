"""A constructed metrics history with a known migration and a known degradation.

10 UTC days (2025-03-01 .. 2025-03-10), 30 generations a day at HH:MM = 00:10 + i*48 min,
8 stage rows each. Known facts the tests check against:
- prd_analysis migrates big -> small at 2025-03-06 00:00 with unchanged quality 0.9 (no alert);
- contract migrates big -> small at 2025-03-09 12:05 and its quality falls to 0.75 (alert,
  explained by the migration);
- business_logic (model gpt) falls to 0.8 after 2025-03-09 12:00 with no migration (alert);
- intelligence uses patterns on even i: ["p1", "p2"] when i % 4 == 0 else ["p1"];
- generation success: i % 10 != 0 before 2025-03-06, i % 15 != 0 from then on;
  total cost 0.02 before 2025-03-06, 0.005 from then on.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from nodegen.stages import STAGE_ORDER

START = datetime(2025, 3, 1, tzinfo=UTC)
DAYS = 10
PER_DAY = 30
PRD_MIGRATION = datetime(2025, 3, 6, tzinfo=UTC)
CONTRACT_MIGRATION = datetime(2025, 3, 9, 12, 5, tzinfo=UTC)
BUSINESS_DROP = datetime(2025, 3, 9, 12, 0, tzinfo=UTC)
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def gen_time(day: int, i: int) -> datetime:
    return START + timedelta(days=day, minutes=10 + 48 * i)


def patterns_for(day: int, i: int) -> object:
    ids = ["p1", "p2"] if i % 4 == 0 else ["p1"] if i % 2 == 0 else []
    if day % 2:  # odd days: JSON text, as SQL returns it; empties as "[]" or None
        return json.dumps(ids) if ids else ("[]" if i % 3 else None)
    return ids


def stage_row(stage: str, day: int, i: int) -> dict[str, object]:
    ts = gen_time(day, i)
    k = [s.value for s in STAGE_ORDER].index(stage)
    model, quality, cost = "builtin", 0.9, 0.0
    if stage == "prd_analysis":
        model = "big" if ts < PRD_MIGRATION else "small"
        cost = 0.01 if model == "big" else 0.002
    elif stage == "contract":
        model = "big" if ts <= CONTRACT_MIGRATION else "small"
        quality = 0.9 if model == "big" else 0.75
        cost = 0.01 if model == "big" else 0.002
    elif stage == "business_logic":
        model = "gpt"
        quality = 0.9 if ts <= BUSINESS_DROP else 0.8
    return {
        "correlation_id": f"c-{day}-{i}",
        "stage": stage,
        "attempt": 1,
        "model_used": model,
        "provider": "test",
        "tokens_input": 100,
        "tokens_output": 50,
        "latency_ms": float(100 * (k + 1) + i),
        "cost_usd": cost,
        "quality_score": quality,
        "success": quality >= 0.8,
        "patterns_used": patterns_for(day, i) if stage == "intelligence" else [],
        "error": None,
        "node_kind": "compute",
        "timestamp": ts,
    }


@dataclass
class History:
    stages: pd.DataFrame
    generations: pd.DataFrame
    decisions: pd.DataFrame


def build_history() -> History:
    stage_rows = [
        stage_row(stage.value, day, i)
        for day in range(DAYS)
        for i in range(PER_DAY)
        for stage in STAGE_ORDER
    ]
    gen_rows = []
    for day in range(DAYS):
        for i in range(PER_DAY):
            ts = gen_time(day, i)
            after = ts >= PRD_MIGRATION
            ok = (i % 15 != 0) if after else (i % 10 != 0)
            gen_rows.append(
                {
                    "correlation_id": f"c-{day}-{i}",
                    "request_id": f"r-{day}-{i}",
                    "node_name": "thing",
                    "node_kind": "compute",
                    "domain": "test",
                    "status": "succeeded" if ok else "failed",
                    "quality_score": 0.9 if ok else 0.4,
                    "success": ok,
                    "total_cost_usd": 0.005 if after else 0.02,
                    "total_latency_ms": 1000.0,
                    "output_path": None,
                    "created_at": ts,
                    "finished_at": ts + timedelta(seconds=30),
                }
            )

    def decision(did: str, stage: str, kind: str, prev: str, new: str, ts: datetime) -> dict:
        return {
            "decision_id": did,
            "stage": stage,
            "node_kind": None,
            "previous_model": prev,
            "new_model": new,
            "kind": kind,
            "reason": f"{kind} {stage}",
            "expected_quality": 0.9,
            "expected_cost_savings_pct": 80.0,
            "evidence": "{}",
            "status": "applied",
            "timestamp": ts,
        }

    decisions = [
        decision(
            "d-old", "prd_analysis", "migrate", "huge", "big", datetime(2025, 2, 20, tzinfo=UTC)
        ),
        decision(
            "d-gc-rb",
            "generated_code",
            "rollback",
            "x",
            "builtin",
            datetime(2025, 3, 3, tzinfo=UTC),
        ),
        decision("d-prd", "prd_analysis", "migrate", "big", "small", PRD_MIGRATION),
        decision("d-contract", "contract", "migrate", "big", "small", CONTRACT_MIGRATION),
    ]
    return History(pd.DataFrame(stage_rows), pd.DataFrame(gen_rows), pd.DataFrame(decisions))


@pytest.fixture(scope="session")
def history() -> History:
    return build_history()


# --------------------------------------------------------------------------- real metrics store

PG_URL = os.environ.get("NODEGEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def populate(store: object, history: History) -> None:
    """Write the constructed history through the store's public write API."""
    from nodegen.records import GenerationMetrics, GenerationRecord, ModelSelectionDecision
    from nodegen.reports.frames import parse_patterns

    rows = []
    for row in history.stages.to_dict("records"):
        row = dict(row, patterns_used=parse_patterns(row["patterns_used"]))
        rows.append(GenerationMetrics.model_validate(row))
    store.record_stage_calls(rows)  # type: ignore[attr-defined]
    for row in history.generations.to_dict("records"):
        store.start_generation(GenerationRecord.model_validate(row))  # type: ignore[attr-defined]
    for row in history.decisions.to_dict("records"):
        decision = ModelSelectionDecision.model_validate(dict(row, evidence={"n": 1}))
        store.record_decision(decision)  # type: ignore[attr-defined]


def _pg_problem() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(
            PG_URL.replace("postgresql://", "postgresql+psycopg2://", 1),
            connect_args={"connect_timeout": 3},
        )
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "unreachable"
        return f"PostgreSQL at {PG_URL} unreachable: {str(exc).splitlines()[0]}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """URL of an empty database (SQLite file, or a fresh PostgreSQL schema dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'metrics.db'}"
        return
    problem = _pg_problem()
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run)")
        pytest.skip(problem)
    import sqlalchemy as sa

    schema = f"rep_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()
