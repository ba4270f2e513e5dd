"""Store fixtures: every test runs against SQLite (a temp file) and PostgreSQL (its own schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from nodegen.store import MetricsStore, normalize_url

PG_URL = os.environ.get(
    "NODEGEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    try:
        engine = sa.create_engine(normalize_url(PG_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "unreachable"
        return f"PostgreSQL at {PG_URL} unreachable: {str(exc).splitlines()[0]}"


_PG_PROBLEM: list[str | None] = []


def pg_problem() -> str | None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_reachable())
    return _PG_PROBLEM[0]


def require_postgres() -> None:
    problem = pg_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run)")
    pytest.skip(problem)


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(normalize_url(PG_URL))
    try:
        yield schema
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_target(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[str, str | None]]:
    """(url, schema) of an empty database; the store is not upgraded yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'metrics.db'}", None
    else:
        schema = request.getfixturevalue("pg_schema")
        yield PG_URL, schema


@pytest.fixture
def store(store_target: tuple[str, str | None]) -> Iterator[MetricsStore]:
    url, schema = store_target
    s = MetricsStore(url, schema=schema)
    s.upgrade()
    yield s
    s.dispose()
