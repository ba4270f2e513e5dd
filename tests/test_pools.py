"""Per-provider Dagster concurrency pools from config/model_selection.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from dagster import DagsterInstance

from nodegen.config import DEFAULT_CONFIG_DIR
from nodegen.stages import Stage
from nodegen_assets.pools import apply_pool_limits, stage_pool


@pytest.fixture
def hybrid_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped config with contract routed to an Anthropic model first."""
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config, ignore=shutil.ignore_patterns("examples"))
    selection = yaml.safe_load((config / "model_selection.yaml").read_text())
    anthropic = next(
        name for name, spec in yaml.safe_load((config / "models.yaml").read_text())["models"].items()
        if spec["provider"] == "anthropic"
    )
    selection["stages"]["contract"]["candidates"] = [
        {"model": anthropic, "priority": 1}, {"model": "local-rules", "priority": 2}
    ]
    (config / "model_selection.yaml").write_text(yaml.safe_dump(selection))
    monkeypatch.setenv("NODEGEN_CONFIG_DIR", str(config))
    return config


def test_stage_pools_follow_the_routed_provider(hybrid_config: Path) -> None:
    assert stage_pool(Stage.CONTRACT) == "provider_anthropic"
    assert stage_pool(Stage.PRD_ANALYSIS) is None  # local-rules only: no pool needed


def test_pool_limits_are_written_to_the_instance(hybrid_config: Path, tmp_path: Path) -> None:
    (tmp_path / "dagster_home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "dagster_home")) as instance:
        limits = apply_pool_limits(instance)
        assert limits["provider_anthropic"] == 4
        assert limits["provider_transformers"] == 1
        info = instance.event_log_storage.get_concurrency_info("provider_transformers")
        assert info.slot_count == 1
