"""Retrieved patterns are recorded: the intelligence stage's stage_metrics row names the patterns it
found (the same ids as its INTELLIGENCE_GATHERED event), and names none without a library."""

from __future__ import annotations

from nodegen.pipeline import generate
from nodegen.request import load_request_file
from nodegen.services import PipelineServices
from nodegen.settings import Settings

from ..conftest import EXAMPLES


def _intelligence_row(services: PipelineServices, correlation_id: str) -> list[str]:
    rows = services.store.stage_metrics_frame(stage="intelligence")
    rows = rows[rows.correlation_id == correlation_id]
    assert len(rows) == 1
    return list(rows.iloc[0].patterns_used)


def test_patterns_found_by_intelligence_are_recorded_in_patterns_used(nodegen_env: Settings) -> None:
    services = PipelineServices.from_settings(nodegen_env)
    summary = generate(services, load_request_file(EXAMPLES / "order_stats.yaml"))
    assert summary.success, summary.error

    used = _intelligence_row(services, summary.correlation_id)
    events = services.store.events_for(summary.correlation_id)
    gathered = next(e for e in events if e.event_type == "INTELLIGENCE_GATHERED")
    found = [hit["pattern_id"] for hit in gathered.payload["patterns_found"]]
    assert used == found
    assert "seed-node_stats_summary_compute" in used  # the statistics seed is the closest pattern

    without = PipelineServices(
        store=services.store, output_dir=services.output_dir, catalogue=services.catalogue,
        selection=services.selection, patterns=None,
    )
    bare = generate(without, load_request_file(EXAMPLES / "order_stats.yaml"))
    assert bare.success, bare.error
    assert _intelligence_row(without, bare.correlation_id) == []
