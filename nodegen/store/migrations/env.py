"""Alembic environment for the metrics store, driven from code (no alembic.ini).

`MetricsStore.upgrade()` passes an open connection in ``config.attributes["connection"]`` and the
optional PostgreSQL schema in ``config.attributes["schema"]``; only online migrations are supported.
"""

from __future__ import annotations

from alembic import context

from nodegen.store.schema import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "nodegen metrics-store migrations run through MetricsStore.upgrade(), "
            "which passes an open connection; there is no alembic.ini"
        )
    schema = config.attributes.get("schema")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported for the metrics store")
run_migrations_online()
