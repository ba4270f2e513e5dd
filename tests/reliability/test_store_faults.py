"""The metrics store when the database goes away: a real PostgreSQL whose backends serving the store
are terminated (pg_terminate_backend, from a second connection) in the middle of a sequence of
writes, and a PostgreSQL port where nothing listens."""

from __future__ import annotations

import random
import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from nodegen.cli import main
from nodegen.errors import StoreError
from nodegen.records import EventEnvelope, EventType, GenerationRecord, GenerationStatus
from nodegen.settings import Settings
from nodegen.store import MetricsStore, normalize_url
from tests.conftest import EXAMPLES
from tests.store.conftest import PG_URL, pg_schema  # noqa: F401  (fixture)
from tests.store.helpers import STAGES, metric

GENERATIONS = 25


def _writes(store: MetricsStore, run: str) -> None:
    """What a pipeline writes per request: open, one row + event per stage call, close."""
    for g in range(GENERATIONS):
        cid = f"{run}-{g}"
        store.start_generation(GenerationRecord(
            correlation_id=cid, request_id=f"req-{g}", node_name="x", node_kind="compute",
            domain="d", status=GenerationStatus.RUNNING,
        ))
        for attempt, stage in enumerate(STAGES * 2, start=1):
            event = EventEnvelope(event_type=EventType.GENERATION_METRICS_RECORDED,
                                  correlation_id=cid, payload_type="GenerationMetrics")
            store.record_stage_call(metric(cid, stage, attempt=attempt), [event])
        store.finish_generation(cid, GenerationStatus.SUCCEEDED, 0.9, True, 0.01, 100.0)


@pytest.mark.postgres
def test_backends_terminated_mid_run_lose_and_duplicate_nothing(pg_schema: str) -> None:  # noqa: F811
    app = f"nodegen_rel_{uuid.uuid4().hex[:8]}"
    url = make_url(str(normalize_url(PG_URL))).update_query_dict({"application_name": app})
    store = MetricsStore(url, schema=pg_schema)
    store.upgrade()
    admin = sa.create_engine(normalize_url(PG_URL))
    stop = threading.Event()
    killed: list[int] = []

    def kill_store_backends() -> None:
        terminate = sa.text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :app AND pid <> pg_backend_pid()"
        )
        with admin.connect() as conn:
            while not stop.wait(random.uniform(0.01, 0.06)):
                killed.append(int(conn.execute(terminate, {"app": app}).scalar_one()))
                conn.commit()

    killer = threading.Thread(target=kill_store_backends)
    killer.start()
    try:
        _writes(store, "run")
    finally:
        stop.set()
        killer.join()
        admin.dispose()

    assert sum(killed) >= 5, killed  # the store really lost its connections, several times
    rows = GENERATIONS * len(STAGES) * 2
    assert store.count("generations") == GENERATIONS
    assert store.count("stage_metrics") == rows
    assert store.count("events") == rows
    frame = store.stage_metrics_frame()
    assert not frame.duplicated(["correlation_id", "stage", "attempt"]).any()
    generations = store.generations_frame()
    assert (generations.status == "succeeded").all()
    store.dispose()


def test_unreachable_postgres_is_a_clear_store_error_without_the_password() -> None:
    url = "postgresql://nodegen:hunter2-secret@127.0.0.1:1/metrics"
    store = MetricsStore(url, retries=2)
    with pytest.raises(StoreError) as info:
        store.upgrade()
    message = str(info.value)
    assert "hunter2-secret" not in message
    assert "postgresql+psycopg2://nodegen:***@127.0.0.1:1/metrics" in message
    assert "unavailable" in message and "\n" not in message


def test_cli_with_an_unreachable_store_fails_clearly_and_writes_nothing(
    nodegen_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NODEGEN_DATABASE_URL", "postgresql://nodegen:hunter2-secret@127.0.0.1:1/m")
    code = main(["generate", str(EXAMPLES / "order_stats.yaml"), "--no-patterns", "--json"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("nodegen: error: metrics store postgresql+psycopg2://nodegen:***@")
    assert "hunter2-secret" not in err
    assert not nodegen_env.output_dir.exists() or not any(nodegen_env.output_dir.iterdir())
