"""Eight processes writing at once lose nothing and duplicate nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing

from nodegen.store import MetricsStore

from .helpers import STAGES, parallel_writer

CALLS = 40


def test_eight_processes_write_concurrently(store_target):
    url, schema = store_target
    store = MetricsStore(url, schema=schema)
    store.upgrade()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(8) as pool:
        created = pool.starmap(parallel_writer, [(url, schema, w, CALLS) for w in range(8)])
    expected = len(STAGES) * CALLS
    assert sum(created) == expected  # each key was new for exactly one of its two writers
    assert store.count("stage_metrics") == expected
    assert store.count("events") == expected
    frame = store.stage_metrics_frame()
    assert not frame.duplicated(["correlation_id", "stage", "attempt"]).any()
    store.dispose()
