"""The whole pipeline in process, on the embedded default: SQLite metrics, real LanceDB with MiniLM,
the offline model, the real gates and sandbox, the atomic writer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nodegen.cli import main
from nodegen.pipeline import generate
from nodegen.request import load_request_file, parse_request_bytes
from nodegen.services import PipelineServices
from nodegen.settings import Settings
from nodegen.stages import Stage

from .conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.iterdir())
# Examples the offline model cannot implement: they must fail honestly, never be written.
OUTSIDE_CATALOGUE = {"podcast_transcribe", "photo_thumbnail", "review_sentiment"}
IN_CATALOGUE = [p for p in EXAMPLE_FILES if p.stem not in OUTSIDE_CATALOGUE]


@pytest.fixture
def services(nodegen_env: Settings) -> PipelineServices:
    return PipelineServices.from_settings(nodegen_env)


@pytest.mark.parametrize("path", IN_CATALOGUE, ids=[p.stem for p in IN_CATALOGUE])
def test_every_example_becomes_a_validated_node(services: PipelineServices, path: Path) -> None:
    summary = generate(services, load_request_file(path))

    assert summary.success, summary.error
    assert summary.quality_score >= 0.95
    version_dir = Path(summary.node_path or "")
    contract = yaml.safe_load((version_dir / "contract.yaml").read_text())
    assert contract["name"] == version_dir.parent.name
    assert contract["metadata"]["correlation_id"] == summary.correlation_id
    assert [s["stage"] for s in summary.stages] == [s.value for s in Stage]

    # The generated tests pass on their own, outside nodegen, in a plain interpreter.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(version_dir / "tests")],
        cwd=version_dir.parent, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr

    record = services.store.generation(summary.correlation_id)
    assert record is not None and record.status == "succeeded" and record.success
    assert record.output_path == summary.node_path
    rows = services.store.stage_metrics_frame()
    rows = rows[rows.correlation_id == summary.correlation_id]
    assert sorted(rows.stage) == sorted(s.value for s in Stage)
    # Model stages are credited with the validated quality of the node they produced.
    model_rows = rows[rows.stage.isin(["prd_analysis", "contract", "business_logic"])]
    assert list(model_rows.quality_score) == pytest.approx([summary.quality_score] * 3)
    assert record.total_cost_usd == pytest.approx(rows.cost_usd.sum())


def test_successful_generations_feed_the_pattern_library(services: PipelineServices) -> None:
    assert services.patterns is not None
    seeded = services.patterns.count()
    first = generate(services, load_request_file(EXAMPLES / "order_stats.yaml"))
    assert first.success
    assert services.patterns.count() == seeded + 1

    # A later, similar request retrieves it.
    similar = parse_request_bytes(
        b'{"prompt": "A compute node computing statistics over invoice amounts: count, total, mean '
        b'and the 90th percentile.", "node_type": "compute", "domain": "commerce"}'
    )
    second = generate(services, similar)
    intelligence = next(s for s in second.stages if s["stage"] == "intelligence")
    assert intelligence["success"]
    events = services.store.events_for(second.correlation_id)
    gathered = next(e for e in events if e.event_type == "INTELLIGENCE_GATHERED")
    found = [hit["pattern_id"] for hit in gathered.payload["patterns_found"]]
    assert first.correlation_id in found


def test_regenerating_writes_a_new_version_and_keeps_the_old(services: PipelineServices) -> None:
    request = load_request_file(EXAMPLES / "order_lifecycle.json")
    first = generate(services, request)
    second = generate(services, request)
    assert first.success and second.success
    assert Path(first.node_path or "").name == "v1_0_0"
    assert Path(second.node_path or "").name == "v1_1_0"
    assert (Path(first.node_path or "") / "node.py").is_file()
    manifest = yaml.safe_load((Path(first.node_path or "").parent / "node.manifest.yaml").read_text())
    assert manifest["latest"] == "1.1.0"


@pytest.mark.parametrize("name", sorted(OUTSIDE_CATALOGUE))
def test_prompt_outside_the_catalogue_fails_honestly(services: PipelineServices, name: str) -> None:
    (path,) = EXAMPLES.glob(f"{name}.*")
    summary = generate(services, load_request_file(path))

    assert not summary.success
    assert summary.node_path is None
    assert "blocking gates failed" in (summary.error or "")
    assert summary.quality_score < 0.95
    record = services.store.generation(summary.correlation_id)
    assert record is not None and record.status == "failed" and not record.success
    assert not any(services.output_dir.glob(f"node_{name}_*"))
    events = [e.event_type for e in services.store.events_for(summary.correlation_id)]
    assert events[-1] == "NODE_GENERATION_FAILED"


def test_cli_generate_prints_one_json_summary_per_request(
    nodegen_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"prompt": "too short"}')
    code = main(
        ["generate", str(EXAMPLES / "exchange_rates.json"), str(bad), "--out", str(tmp_path / "o"), "--json"]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert code == 1  # one request failed
    assert [line["success"] for line in lines] == [True, False]
    ok, failed = lines
    assert set(ok) >= {"request_id", "correlation_id", "success", "quality_score", "node_path", "stages"}
    assert Path(ok["node_path"]).is_relative_to(tmp_path / "o")
    assert set(ok["stages"][0]) >= {
        "stage", "model", "tokens_input", "tokens_output", "latency_ms", "cost_usd", "quality_score",
        "success",
    }
    assert "prompt" in failed["error"]


def test_cli_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate"]) == 2
    assert main(["no-such-command"]) == 2


def test_request_stage_models_override_the_routing(
    services: PipelineServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request naming a model for a stage tries it first; without its key that try is recorded
    as failed and the stage falls back to local-rules."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    cloud = next(n for n, spec in services.catalogue.models.items() if spec.provider.value == "anthropic")
    request = parse_request_bytes(json.dumps({
        "prompt": "A compute node that converts temperatures between celsius and fahrenheit units.",
        "node_type": "compute", "stage_models": {"contract": cloud},
    }).encode())
    summary = generate(services, request)

    assert summary.success
    contract_rows = [s for s in summary.stages if s["stage"] == "contract"]
    assert [(r["model"], r["success"]) for r in contract_rows] == [(cloud, False), ("local-rules", True)]
    rows = services.store.stage_metrics_frame()
    failed = rows[(rows.correlation_id == summary.correlation_id) & ~rows.success]
    assert "ANTHROPIC_API_KEY" in failed.error.iloc[0]
