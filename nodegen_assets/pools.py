"""Dagster concurrency pools, one per model provider (config/model_selection.yaml `concurrency_pools`).

A model stage asset joins the pool of the provider of its highest-priority model, so at most N of
those calls run at once across all runs. The limits are written into the Dagster instance by
`python -m nodegen_assets.pools` (scripts/run.sh does it at start-up).
"""

from dagster import DagsterInstance

from nodegen.config import LOCAL_RULES, load_model_catalogue, load_model_selection
from nodegen.settings import Settings
from nodegen.stages import Stage


def _config():
    config_dir = Settings.from_env().config_dir
    catalogue = load_model_catalogue(config_dir / "models.yaml")
    return catalogue, load_model_selection(config_dir / "model_selection.yaml", catalogue)


def stage_pool(stage: Stage) -> str | None:
    """The provider pool of the stage's first non-offline candidate; None for `local-rules` only."""
    catalogue, selection = _config()
    for candidate in selection.routing_for(stage).by_priority():
        if candidate.model != LOCAL_RULES:
            return f"provider_{catalogue.get(candidate.model).provider.value}"
    return None


def pool_limits() -> dict[str, int]:
    _, selection = _config()
    return {f"provider_{name}": limit for name, limit in selection.concurrency_pools.items()}


def apply_pool_limits(instance: DagsterInstance) -> dict[str, int]:
    limits = pool_limits()
    for pool, limit in limits.items():
        instance.event_log_storage.set_concurrency_slots(pool, limit)
    return limits


if __name__ == "__main__":
    with DagsterInstance.get() as dagster_instance:
        for name, slots in apply_pool_limits(dagster_instance).items():
            print(f"nodegen: pool {name} = {slots} concurrent calls")
