"""Data access for the analysis notebooks: the same frames the reports use, from the store.

The store import is lazy so that `nodegen.reports` stays importable (and testable) without it.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from nodegen.reports import frames as fr


class ReportFrames(NamedTuple):
    stage_metrics: pd.DataFrame
    generations: pd.DataFrame
    decisions: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.stage_metrics.empty and self.generations.empty


def load_frames(database_url: str | None = None) -> ReportFrames:
    """Read the three metrics tables as normalised frames.

    `database_url` defaults to env NODEGEN_DATABASE_URL (else the project default under
    NODEGEN_HOME, as nodegen.settings resolves it).
    """
    if database_url is None:
        from nodegen.settings import Settings

        database_url = Settings.from_env().database_url
    from nodegen.store import MetricsStore

    store = MetricsStore(database_url)
    try:
        return ReportFrames(
            stage_metrics=fr.stage_frame(store.stage_metrics_frame()),
            generations=fr.generations_frame(store.generations_frame()),
            decisions=fr.decisions_frame(store.decisions_frame()),
        )
    finally:
        close = getattr(store, "close", None) or getattr(store, "dispose", None)
        if callable(close):
            close()
