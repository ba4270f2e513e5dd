"""The metrics store: generations, stage metrics, decisions, routing versions and events in SQL.

SQLite by default (WAL, busy timeout, foreign keys, write transactions taken with BEGIN IMMEDIATE so
parallel processes queue instead of failing), PostgreSQL by URL. The schema is created and changed
only by the Alembic revisions in ``migrations/``, applied by :meth:`MetricsStore.upgrade`.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

import pandas as pd
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL

from nodegen.errors import StoreError
from nodegen.metrics_summary import WINDOWS, empty_summary, normalize_summary
from nodegen.records import (
    EventEnvelope,
    EventType,
    GenerationMetrics,
    GenerationRecord,
    GenerationStatus,
    ModelSelectionDecision,
    RoutingVersion,
)
from nodegen.store.schema import (
    STAGE_METRIC_COLUMNS,
    events,
    generations,
    model_selection_decisions,
    routing_versions,
    stage_metrics,
)

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ROUTING_RESTORE_DAYS = 14
# Per-sort memory for the summary query: a month of one stage/model's latencies sorts in memory.
PG_SUMMARY_WORK_MEM = "64MB"
_SQLITE_TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite


def normalize_url(url: str | URL) -> URL:
    """``postgresql://`` and ``postgres://`` -> psycopg2 (SQLAlchemy 2.1 would pick psycopg 3)."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported metrics-store database {parsed.drivername!r}: use sqlite:/// or postgresql://"
        )
    return parsed


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class MetricsStore:
    """Read and write the metrics tables of one database (and, on PostgreSQL, one schema).

    ``schema`` (PostgreSQL only) isolates the tables in that schema by setting the search_path;
    ``?options=-csearch_path=<schema>`` in the URL does the same. ``retries`` bounds how often a
    transaction is re-run after a transient failure (lock contention, dropped connection).
    """

    def __init__(self, url: str | URL, *, schema: str | None = None, retries: int = 8,
                 echo: bool = False) -> None:
        self.url = normalize_url(url)
        self.dialect = self.url.get_backend_name()
        self.retries = retries
        self.schema = schema or self._schema_from_url()
        if self.schema is not None and self.dialect != "postgresql":
            raise StoreError("a schema can only be given for a PostgreSQL metrics store")
        if self.schema is not None and not self.schema.replace("_", "").isalnum():
            raise StoreError(f"schema name must be letters, digits and '_': {self.schema!r}")
        self.engine = self._create_engine(echo)

    # ------------------------------------------------------------------ engine and transactions
    def _schema_from_url(self) -> str | None:
        options = self.url.query.get("options")
        if isinstance(options, tuple):
            options = " ".join(options)
        if not options:
            return None
        for part in options.split():
            if part.startswith("-csearch_path="):
                return part.split("=", 1)[1].split(",")[0].strip() or None
        return None

    def _create_engine(self, echo: bool) -> Engine:
        if self.dialect == "sqlite":
            database = self.url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                try:
                    Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create the folder of {database}: {exc}") from exc
            kwargs: dict[str, Any] = {"connect_args": {"timeout": 30.0}}
            if database in ("", ":memory:"):
                kwargs["poolclass"] = sa.pool.StaticPool
                kwargs["connect_args"]["check_same_thread"] = False
            engine = sa.create_engine(self.url, echo=echo, **kwargs)
            sa.event.listen(engine, "connect", _sqlite_on_connect)
            sa.event.listen(engine, "begin", _sqlite_on_begin)
            return engine
        url = self.url
        connect_args: dict[str, Any] = {"connect_timeout": 10}
        if self.schema is not None:
            url = url.difference_update_query(["options"])
            connect_args["options"] = f"-csearch_path={self.schema}"
        return sa.create_engine(
            url, echo=echo, pool_pre_ping=True, pool_recycle=1800, connect_args=connect_args
        )

    def dispose(self) -> None:
        """Close pooled connections (call in a child process after fork, or at shutdown)."""
        self.engine.dispose()

    def _transient(self, exc: sa.exc.DBAPIError) -> bool:
        if exc.connection_invalidated:
            return True
        text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
        if self.dialect == "sqlite":
            return "locked" in text or "busy" in text
        return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) and any(
            word in text
            for word in ("could not connect", "connection refused", "server closed",
                         "terminating connection", "connection already closed", "timeout",
                         "deadlock detected", "could not serialize")
        )

    def _run(self, fn: Callable[[Connection], T], *, write: bool = True) -> T:
        """Run ``fn`` in one transaction, re-running it after transient failures."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                with self.engine.connect() as conn:
                    if self.dialect == "sqlite":
                        conn.info["nodegen_begin"] = "BEGIN IMMEDIATE" if write else "BEGIN"
                    with conn.begin():
                        return fn(conn)
            except sa.exc.DBAPIError as exc:
                last = exc
                if attempt < self.retries and self._transient(exc):
                    time.sleep(min(2.0, 0.02 * 2**attempt) * (0.5 + random.random()))
                    continue
                raise self._store_error(exc) from exc
        raise StoreError(f"metrics store {_safe(self.url)}: gave up after retries: {last}")

    def _store_error(self, exc: sa.exc.DBAPIError) -> StoreError:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        where = f"metrics store {_safe(self.url)}" + (f" (schema {self.schema})" if self.schema else "")
        if isinstance(exc, sa.exc.IntegrityError):
            return StoreError(f"{where} refused the write: {detail}")
        lowered = detail.lower()
        if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
            return StoreError(f"{where} has no schema yet; call MetricsStore.upgrade(): {detail}")
        return StoreError(f"{where} is unavailable: {detail}")

    # ------------------------------------------------------------------ migrations
    def alembic_config(self, connection: Connection | None = None) -> Config:
        """An Alembic Config for this store (script_location set in code; there is no alembic.ini).

        Developers create a new revision with
        ``alembic.command.revision(store.alembic_config(conn), "message", autogenerate=True)``.
        """
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = connection
        cfg.attributes["schema"] = self.schema
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema; safe to call from many processes at once."""

        def _do(conn: Connection) -> None:
            if self.dialect == "postgresql":
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"nodegen-metrics-store:{self.schema or ''}"},
                )
                if self.schema is not None:
                    conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            command.upgrade(self.alembic_config(conn), revision)

        self._run(_do)

    def current_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first upgrade)."""
        return self._run(
            lambda conn: MigrationContext.configure(
                conn, opts={"version_table_schema": self.schema}
            ).get_current_revision(),
            write=False,
        )

    # ------------------------------------------------------------------ generations
    def _insert(self, table: sa.Table) -> Any:
        return (pg_dialect if self.dialect == "postgresql" else sqlite_dialect).insert(table)

    def start_generation(self, record: GenerationRecord) -> None:
        """Insert the generation, or replace it when the correlation_id is already known."""
        values = record.model_dump(mode="python")
        values["status"] = str(record.status)
        stmt = self._insert(generations).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["correlation_id"],
            set_={k: stmt.excluded[k] for k in values if k != "correlation_id"},
        )
        self._run(lambda conn: conn.execute(stmt))

    def finish_generation(
        self,
        correlation_id: str,
        status: GenerationStatus | str,
        quality_score: float,
        success: bool,
        total_cost_usd: float,
        total_latency_ms: float,
        output_path: str | None = None,
        error: str | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        """Record the outcome of a generation started with :meth:`start_generation`."""
        status = GenerationStatus(status)
        stmt = (
            generations.update()
            .where(generations.c.correlation_id == correlation_id)
            .values(
                status=str(status), quality_score=float(quality_score), success=bool(success),
                total_cost_usd=float(total_cost_usd), total_latency_ms=float(total_latency_ms),
                output_path=output_path, error=error, finished_at=finished_at or _now(),
            )
        )

        def _do(conn: Connection) -> None:
            if conn.execute(stmt).rowcount != 1:
                raise LookupError(f"no generation with correlation_id {correlation_id!r}")

        self._run(_do)

    def update_generation(self, correlation_id: str, **values: str) -> None:
        """Fill in what PRD analysis learnt (node_name, node_kind, domain)."""
        allowed = {"node_name", "node_kind", "domain"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"update_generation: cannot set {sorted(unknown)}")
        stmt = (
            generations.update()
            .where(generations.c.correlation_id == correlation_id)
            .values(values)
        )
        self._run(lambda conn: conn.execute(stmt))

    def attribute_quality(self, correlation_id: str, quality: float, stages: Sequence[str]) -> int:
        """Credit the generation's final quality to the successful call of each model stage.

        A model stage's own output cannot be scored until the node it helped build is validated,
        so its row is recorded first and its quality set here, from the validation report.
        Returns how many rows were updated.
        """
        t = stage_metrics

        def _do(conn: Connection) -> int:
            updated = 0
            for stage in stages:
                last = (
                    sa.select(sa.func.max(t.c.attempt))
                    .where(t.c.correlation_id == correlation_id, t.c.stage == str(stage),
                           t.c.success.is_(True))
                    .scalar_subquery()
                )
                updated += conn.execute(
                    t.update()
                    .where(t.c.correlation_id == correlation_id, t.c.stage == str(stage),
                           t.c.attempt == last)
                    .values(quality_score=max(0.0, min(1.0, float(quality))))
                ).rowcount
            return updated

        return self._run(_do)

    @staticmethod
    def _totals_query(correlation_id: str) -> sa.Select:
        t = stage_metrics
        return sa.select(
            sa.func.coalesce(sa.func.sum(t.c.cost_usd), 0.0),
            sa.func.coalesce(sa.func.sum(t.c.latency_ms), 0.0),
        ).where(t.c.correlation_id == correlation_id)

    def generation_totals(self, correlation_id: str) -> dict[str, float]:
        """Cost and latency summed over every stage call (fallback tries included)."""
        stmt = self._totals_query(correlation_id)
        cost, latency = self._run(lambda conn: conn.execute(stmt).one(), write=False)
        return {"cost_usd": float(cost), "latency_ms": float(latency)}

    def generation(self, correlation_id: str) -> GenerationRecord | None:
        row = self._run(
            lambda conn: conn.execute(
                sa.select(generations).where(generations.c.correlation_id == correlation_id)
            ).mappings().first(),
            write=False,
        )
        return None if row is None else GenerationRecord.model_validate(dict(row))

    def fail_abandoned_generations(
        self,
        idle_for: timedelta,
        *,
        request_id: str | None = None,
        created_after: datetime | None = None,
        reason: str = "its run stopped without closing it",
        now: datetime | None = None,
    ) -> list[str]:
        """Close as failed the `running` generations with no stage call for `idle_for` (a run
        process that was killed never closes its generation). Totals come from the recorded calls,
        a NODE_GENERATION_FAILED event says why, and a generation that finishes meanwhile is left
        alone. Returns the correlation ids closed."""
        now = now or _now()
        g, t = generations, stage_metrics
        last_call = (
            sa.select(t.c.correlation_id, sa.func.max(t.c.timestamp).label("last_call"))
            .group_by(t.c.correlation_id)
            .subquery()
        )
        idle_since = sa.func.coalesce(last_call.c.last_call, g.c.created_at)
        query = (
            sa.select(g.c.correlation_id, g.c.request_id, idle_since.label("idle_since"))
            .select_from(g.outerjoin(last_call, last_call.c.correlation_id == g.c.correlation_id))
            .where(g.c.status == str(GenerationStatus.RUNNING), idle_since < now - idle_for)
        )
        if request_id is not None:
            query = query.where(g.c.request_id == request_id)
        if created_after is not None:
            query = query.where(g.c.created_at >= created_after)

        def _do(conn: Connection) -> list[str]:
            closed = []
            for correlation_id, req_id, idle_since_value in conn.execute(query).all():
                cost, latency = conn.execute(self._totals_query(correlation_id)).one()
                error = f"abandoned: {reason} (last activity {_utc(idle_since_value).isoformat()})"
                updated = conn.execute(
                    g.update()
                    .where(g.c.correlation_id == correlation_id,
                           g.c.status == str(GenerationStatus.RUNNING))
                    .values(status=str(GenerationStatus.FAILED), success=False, error=error,
                            total_cost_usd=float(cost), total_latency_ms=float(latency),
                            finished_at=now)
                ).rowcount
                if not updated:
                    continue
                event = EventEnvelope(
                    envelope_id=f"abandoned-{correlation_id}"[:64],
                    event_type=EventType.NODE_GENERATION_FAILED,
                    correlation_id=correlation_id,
                    timestamp=now,
                    payload_type="GenerationFailure",
                    payload={"error": error, "request_id": req_id},
                    source="nodegen.store.fail_abandoned_generations",
                )
                stmt = self._insert(events).values(self.event_row(event))
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["envelope_id"]))
                closed.append(correlation_id)
            return closed

        return self._run(_do)

    # ------------------------------------------------------------------ stage metrics and events
    @staticmethod
    def stage_metric_row(metrics: GenerationMetrics) -> dict[str, Any]:
        """The stage_metrics row of one stage call (patterns_used as JSON text)."""
        values = dict(metrics.__dict__)
        values["stage"] = str(metrics.stage)
        values["patterns_used"] = json.dumps(list(metrics.patterns_used))
        return values

    @staticmethod
    def event_row(event: EventEnvelope) -> dict[str, Any]:
        values = dict(event.__dict__)
        values["event_type"] = str(event.event_type)
        values["payload"] = json.dumps(event.payload, default=str, sort_keys=True)
        return values

    def record_stage_call(
        self,
        metrics: GenerationMetrics,
        events_: Iterable[EventEnvelope] = (),
        *,
        on_conflict: Literal["ignore", "replace"] = "ignore",
    ) -> bool:
        """Write one stage call and its events in ONE transaction; idempotent.

        Re-recording the same (correlation_id, stage, attempt) never adds a row: with ``ignore``
        the first record wins and the events are not written again; with ``replace`` the row is
        overwritten. Events are unique by envelope_id either way. Returns True when the call was
        new.
        """
        row = self.stage_metric_row(metrics)
        event_rows = [self.event_row(e) for e in events_]
        insert = self._insert(stage_metrics).values(row)
        key = ["correlation_id", "stage", "attempt"]

        def _do(conn: Connection) -> bool:
            created = conn.execute(insert.on_conflict_do_nothing(index_elements=key)).rowcount == 1
            if not created and on_conflict == "replace":
                conn.execute(
                    stage_metrics.update()
                    .where(*(stage_metrics.c[k] == row[k] for k in key))
                    .values({k: v for k, v in row.items() if k not in key})
                )
            if event_rows and (created or on_conflict == "replace"):
                conn.execute(
                    self._insert(events).on_conflict_do_nothing(index_elements=["envelope_id"]),
                    event_rows,
                )
            return created

        return self._run(_do)

    def record_stage_calls(self, rows: Sequence[GenerationMetrics]) -> int:
        """Write many stage calls in one transaction (duplicates ignored); returns how many were new."""
        return self.insert_stage_rows([self.stage_metric_row(m) for m in rows])

    def insert_stage_rows(self, rows: Sequence[dict[str, Any]], chunk_size: int = 20_000) -> int:
        """Bulk insert prepared stage_metrics rows in one transaction, ignoring known keys.

        Returns how many rows were new (counted inside the transaction).
        """
        if not rows:
            return 0
        stmt = self._insert(stage_metrics).on_conflict_do_nothing(
            index_elements=["correlation_id", "stage", "attempt"]
        )
        count = sa.select(sa.func.count()).select_from(stage_metrics)

        def _do(conn: Connection) -> int:
            before = conn.execute(count).scalar_one()
            for start in range(0, len(rows), chunk_size):
                conn.execute(stmt, list(rows[start : start + chunk_size]))
            return int(conn.execute(count).scalar_one() - before)

        return self._run(_do)

    def next_attempt(self, correlation_id: str, stage: str) -> int:
        """1 + the highest attempt recorded for this request's stage (1 when none)."""
        stmt = sa.select(sa.func.coalesce(sa.func.max(stage_metrics.c.attempt), 0)).where(
            stage_metrics.c.correlation_id == correlation_id, stage_metrics.c.stage == str(stage)
        )
        return int(self._run(lambda conn: conn.execute(stmt).scalar_one(), write=False)) + 1

    def append_event(self, event: EventEnvelope) -> bool:
        """Append one event; an envelope_id already stored is ignored. True when it was new."""
        stmt = self._insert(events).values(self.event_row(event))
        stmt = stmt.on_conflict_do_nothing(index_elements=["envelope_id"])
        return self._run(lambda conn: conn.execute(stmt).rowcount == 1)

    # ------------------------------------------------------------------ frames
    def _frame(self, stmt: sa.Select, time_columns: Sequence[str]) -> pd.DataFrame:
        def _do(conn: Connection) -> pd.DataFrame:
            result = conn.execute(stmt)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

        frame = self._run(_do, write=False)
        for c in time_columns:
            frame[c] = pd.to_datetime(frame[c], utc=True, format="ISO8601")
        return frame

    @staticmethod
    def _raw_time(table: sa.Table, names: Sequence[str]) -> list[Any]:
        """Select timestamps without per-row conversion; pandas converts the column at once."""
        return [
            sa.type_coerce(c, sa.types.NullType()).label(c.name) if c.name in names else c
            for c in table.columns
        ]

    @staticmethod
    def _window(column: sa.ColumnElement, since: datetime | None, until: datetime | None) -> list:
        clauses = []
        if since is not None:
            clauses.append(column >= _utc(since))
        if until is not None:
            clauses.append(column < _utc(until))
        return clauses

    def stage_metrics_frame(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        stage: str | None = None,
        *,
        parse_patterns: bool = True,
    ) -> pd.DataFrame:
        """stage_metrics rows with ``since <= timestamp < until`` (UTC), oldest first."""
        t = stage_metrics
        stmt = sa.select(*self._raw_time(t, ["timestamp"])).where(
            *self._window(t.c.timestamp, since, until)
        )
        if stage is not None:
            stmt = stmt.where(t.c.stage == str(stage))
        frame = self._frame(stmt.order_by(t.c.timestamp, t.c.id), ["timestamp"])
        frame = frame.reindex(columns=list(STAGE_METRIC_COLUMNS))
        frame["success"] = frame["success"].astype(bool)
        for c in ("tokens_input", "tokens_output", "cache_read_tokens", "cache_write_tokens",
                  "attempt", "id"):
            frame[c] = frame[c].astype("int64")
        for c in ("latency_ms", "cost_usd", "quality_score"):
            frame[c] = frame[c].astype("float64")
        if parse_patterns:
            frame["patterns_used"] = [json.loads(v) for v in frame["patterns_used"]]
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
        return frame

    def generations_frame(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> pd.DataFrame:
        """generations created in ``[since, until)``, oldest first."""
        t = generations
        stmt = sa.select(*self._raw_time(t, ["created_at", "finished_at"])).where(
            *self._window(t.c.created_at, since, until)
        )
        frame = self._frame(stmt.order_by(t.c.created_at), ["created_at", "finished_at"])
        frame = frame.reindex(columns=[c.name for c in t.columns])
        frame["success"] = frame["success"].astype(bool)
        return frame

    def events_frame(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        correlation_id: str | None = None,
        event_type: str | None = None,
    ) -> pd.DataFrame:
        """events in append order, payload decoded."""
        t = events
        stmt = sa.select(*self._raw_time(t, ["timestamp"])).where(
            *self._window(t.c.timestamp, since, until)
        )
        if correlation_id is not None:
            stmt = stmt.where(t.c.correlation_id == correlation_id)
        if event_type is not None:
            stmt = stmt.where(t.c.event_type == str(event_type))
        frame = self._frame(stmt.order_by(t.c.id), ["timestamp"])
        frame = frame.reindex(columns=[c.name for c in t.columns])
        frame["payload"] = [json.loads(v) for v in frame["payload"]]
        return frame

    def events_for(self, correlation_id: str) -> list[EventEnvelope]:
        frame = self.events_frame(correlation_id=correlation_id)
        return [
            EventEnvelope(
                envelope_id=r.envelope_id, event_type=r.event_type, correlation_id=r.correlation_id,
                timestamp=r.timestamp.to_pydatetime(), payload_type=r.payload_type,
                payload=r.payload, source=r.source,
            )
            for r in frame.itertuples(index=False)
        ]

    def decisions_frame(
        self, since: datetime | None = None, until: datetime | None = None,
        stage: str | None = None,
    ) -> pd.DataFrame:
        """model_selection_decisions, oldest first, evidence decoded."""
        t = model_selection_decisions
        stmt = sa.select(*self._raw_time(t, ["timestamp"])).where(
            *self._window(t.c.timestamp, since, until)
        )
        if stage is not None:
            stmt = stmt.where(t.c.stage == str(stage))
        frame = self._frame(stmt.order_by(t.c.timestamp), ["timestamp"])
        frame = frame.reindex(columns=[c.name for c in t.columns])
        frame["evidence"] = [json.loads(v) for v in frame["evidence"]]
        return frame

    # ------------------------------------------------------------------ summary in SQL
    def stage_summary(self, now: datetime | None = None) -> pd.DataFrame:
        """`metrics_summary.model_performance_summary` computed inside the database.

        Counts, sums and means are GROUP BY aggregates; percentiles use ``percentile_cont`` on
        PostgreSQL and, on SQLite, window functions that return only the (at most four) rows
        around each percentile position, interpolated here.
        """
        end = _utc(now or _now())
        bounds = {name: end - length for name, length in WINDOWS.items()}
        longest = min(bounds.values())
        if self.dialect == "postgresql":
            frame = self._run(lambda conn: self._pg_summary(conn, end, bounds), write=False)
        else:
            frame = self._run(lambda conn: self._sqlite_summary(conn, end, bounds, longest),
                              write=False)
        return empty_summary() if frame.empty else normalize_summary(frame)

    def _pg_summary(self, conn: Connection, end: datetime, bounds: dict[str, datetime]
                    ) -> pd.DataFrame:
        # One scan of the longest window; each window's aggregates take their rows with FILTER,
        # and both percentiles of a window come from one sort. The sorts stay in memory.
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{PG_SUMMARY_WORK_MEM}'")
        columns, params = [], {"end": end, "longest": min(bounds.values())}
        for i, start in enumerate(bounds.values()):
            params[f"s{i}"] = start
            within = f'FILTER (WHERE "timestamp" > :s{i})'
            columns.append(
                f"COUNT(*) {within}, AVG(CASE WHEN success THEN 1.0 ELSE 0.0 END) {within}, "
                f"AVG(quality_score) {within}, "
                f"percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY latency_ms) {within}, "
                f"AVG(cost_usd) {within}, SUM(cost_usd) {within}"
            )
        sql = sa.text(
            f"SELECT stage, model_used, {', '.join(columns)} FROM stage_metrics "
            'WHERE "timestamp" > :longest AND "timestamp" <= :end GROUP BY stage, model_used'
        )
        records = []
        for row in conn.execute(sql, params):
            for i, name in enumerate(bounds):
                samples, success, quality, pcts, mean_cost, total_cost = row[2 + 6 * i : 8 + 6 * i]
                if not samples:
                    continue
                records.append(
                    {"window": name, "stage": row[0], "model_used": row[1], "samples": samples,
                     "success_rate": success, "mean_quality": quality,
                     "p50_latency_ms": pcts[0], "p95_latency_ms": pcts[1],
                     "mean_cost_usd": mean_cost, "total_cost_usd": total_cost}
                )
        return pd.DataFrame.from_records(records)

    def _sqlite_summary(self, conn: Connection, end: datetime, bounds: dict[str, datetime],
                        longest: datetime) -> pd.DataFrame:
        # Both queries read only the covering index ix_stage_metrics_summary
        # (stage, model_used, latency_ms, timestamp, success, quality_score, cost_usd): the
        # aggregates scan it once in group order, and each percentile is found by walking one
        # group's entries in latency order (OFFSET), so nothing is sorted.
        fmt = _SQLITE_TS_FORMAT
        end_s = end.replace(tzinfo=None).strftime(fmt)
        starts = {n: b.replace(tzinfo=None).strftime(fmt) for n, b in bounds.items()}
        longest_s = longest.replace(tzinfo=None).strftime(fmt)
        columns, args = [], []
        for start in starts.values():
            columns.append(
                "SUM(ts_in), SUM(CASE WHEN ts_in THEN success END), "
                "SUM(CASE WHEN ts_in THEN quality_score END), SUM(CASE WHEN ts_in THEN cost_usd END)"
                .replace("ts_in", '"timestamp" > ?')
            )
            args.extend([start] * 4)
        sql = (
            f"SELECT stage, model_used, {', '.join(columns)} "
            "FROM stage_metrics INDEXED BY ix_stage_metrics_summary "
            'WHERE "timestamp" > ? AND "timestamp" <= ? GROUP BY stage, model_used'
        )
        rows = conn.exec_driver_sql(sql, (*args, longest_s, end_s)).fetchall()
        pct_sql = (
            "SELECT latency_ms FROM stage_metrics INDEXED BY ix_stage_metrics_summary "
            'WHERE stage = ? AND model_used = ? AND "timestamp" > ? AND "timestamp" <= ? '
            "ORDER BY latency_ms LIMIT 2 OFFSET ?"
        )
        records = []
        for row in rows:
            stage, model = row[0], row[1]
            for i, (name, start) in enumerate(starts.items()):
                n, successes, quality, cost = row[2 + 4 * i : 6 + 4 * i]
                if not n:
                    continue
                pcts = []
                for q in (0.5, 0.95):
                    position = q * (n - 1)
                    lower = math.floor(position)
                    picked = [
                        r[0]
                        for r in conn.exec_driver_sql(pct_sql, (stage, model, start, end_s, lower))
                    ]
                    value = picked[0]
                    if position > lower and len(picked) > 1:
                        value += (picked[1] - value) * (position - lower)
                    pcts.append(float(value))
                records.append(
                    {"window": name, "stage": stage, "model_used": model, "samples": int(n),
                     "success_rate": successes / n, "mean_quality": quality / n,
                     "p50_latency_ms": pcts[0], "p95_latency_ms": pcts[1],
                     "mean_cost_usd": cost / n, "total_cost_usd": float(cost)}
                )
        return pd.DataFrame.from_records(records)

    # ------------------------------------------------------------------ routing and decisions
    @staticmethod
    def _routing(row: Any) -> RoutingVersion:
        return RoutingVersion(
            version=row.version, routing=json.loads(row.routing), reason=row.reason,
            decision_id=row.decision_id, created_at=row.created_at,
        )

    def current_routing(self) -> RoutingVersion | None:
        """The routing in force: the highest version, or None before the first one."""
        stmt = sa.select(routing_versions).order_by(routing_versions.c.version.desc()).limit(1)
        row = self._run(lambda conn: conn.execute(stmt).first(), write=False)
        return None if row is None else self._routing(row)

    def add_routing_version(
        self, routing: dict[str, str], reason: str, decision_id: str | None = None,
        created_at: datetime | None = None,
    ) -> RoutingVersion:
        """Put a new routing in force (version = previous + 1)."""
        if not reason.strip():
            raise ValueError("a routing version needs a reason")
        clean = {str(k): str(v) for k, v in routing.items()}

        def _do(conn: Connection) -> RoutingVersion:
            if self.dialect == "postgresql":
                conn.execute(sa.text("LOCK TABLE routing_versions IN SHARE ROW EXCLUSIVE MODE"))
            latest = conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(routing_versions.c.version), 0))
            ).scalar_one()
            version = RoutingVersion(
                version=int(latest) + 1, routing=clean, reason=reason, decision_id=decision_id,
                created_at=_utc(created_at or _now()),
            )
            conn.execute(
                routing_versions.insert().values(
                    version=version.version, routing=json.dumps(clean, sort_keys=True),
                    reason=reason, decision_id=decision_id, created_at=version.created_at,
                )
            )
            return version

        return self._run(_do)

    def routing_history(self, days: int = ROUTING_RESTORE_DAYS,
                        now: datetime | None = None) -> list[RoutingVersion]:
        """Every routing in force during the last ``days`` days, oldest first.

        That is the versions created in the window plus the one already in force when it began.
        """
        start = _utc(now or _now()) - timedelta(days=days)
        t = routing_versions

        def _do(conn: Connection) -> list[Any]:
            before = conn.execute(
                sa.select(t).where(t.c.created_at < start).order_by(t.c.version.desc()).limit(1)
            ).first()
            rows = conn.execute(
                sa.select(t).where(t.c.created_at >= start).order_by(t.c.version)
            ).fetchall()
            return ([before] if before is not None else []) + list(rows)

        return [self._routing(r) for r in self._run(_do, write=False)]

    def restore_routing(self, version: int, reason: str, now: datetime | None = None
                        ) -> RoutingVersion:
        """Put an earlier routing back in force as a new version (last 14 days only)."""
        history = {v.version: v for v in self.routing_history(ROUTING_RESTORE_DAYS, now)}
        if version not in history:
            raise ValueError(
                f"routing version {version} was not in force during the last "
                f"{ROUTING_RESTORE_DAYS} days; restorable: {sorted(history)}"
            )
        return self.add_routing_version(
            history[version].routing, f"restore v{version}: {reason}", created_at=now
        )

    def record_decision(self, decision: ModelSelectionDecision) -> bool:
        """Store a decision with its evidence; a known decision_id is ignored. True when new."""
        values = dict(decision.__dict__)
        values["stage"] = str(decision.stage)
        values["kind"] = str(decision.kind)
        values["evidence"] = json.dumps(decision.evidence, default=str, sort_keys=True)
        stmt = self._insert(model_selection_decisions).values(values)
        stmt = stmt.on_conflict_do_nothing(index_elements=["decision_id"])
        return self._run(lambda conn: conn.execute(stmt).rowcount == 1)

    def decisions(
        self, since: datetime | None = None, stage: str | None = None,
        kind: str | None = None, status: str | None = None,
    ) -> list[ModelSelectionDecision]:
        """Decisions, oldest first, optionally filtered."""
        t = model_selection_decisions
        stmt = sa.select(t).where(*self._window(t.c.timestamp, since, None))
        for column, value in (("stage", stage), ("kind", kind), ("status", status)):
            if value is not None:
                stmt = stmt.where(t.c[column] == str(value))
        rows = self._run(
            lambda conn: conn.execute(stmt.order_by(t.c.timestamp)).mappings().all(), write=False
        )
        out = []
        for row in rows:
            values = dict(row)
            values["evidence"] = json.loads(values["evidence"])
            out.append(ModelSelectionDecision.model_validate(values))
        return out

    def update_decision_status(self, decision_id: str, status: str) -> None:
        """Mark a decision (e.g. applied -> rolled_back); unknown ids raise LookupError."""
        stmt = (
            model_selection_decisions.update()
            .where(model_selection_decisions.c.decision_id == decision_id)
            .values(status=status)
        )

        def _do(conn: Connection) -> None:
            if conn.execute(stmt).rowcount != 1:
                raise LookupError(f"no model selection decision {decision_id!r}")

        self._run(_do)

    def count(self, table: str) -> int:
        """Rows in one of the store's tables (for checks and reports)."""
        known = {t.name: t for t in (generations, stage_metrics, model_selection_decisions,
                                     routing_versions, events)}
        if table not in known:
            raise ValueError(f"unknown table {table!r}; known: {sorted(known)}")
        stmt = sa.select(sa.func.count()).select_from(known[table])
        return int(self._run(lambda conn: conn.execute(stmt).scalar_one(), write=False))


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level; transactions are begun explicitly in _sqlite_on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON",
                   "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql(conn.info.get("nodegen_begin", "BEGIN IMMEDIATE"))
