"""The Dagster code location: assets, checks, jobs, sensors, schedules and resources."""

from dagster import Definitions, EnvVar

from nodegen_assets.generation import generation_assets
from nodegen_assets.jobs import generate_node_job
from resources import NodegenResource
from sensors.request_sensor import request_inbox_sensor


def _secret(name: str) -> EnvVar | None:
    """An EnvVar only when it is set, so the embedded default starts without any key."""
    import os

    return EnvVar(name) if os.environ.get(name) else None


defs = Definitions(
    assets=[*generation_assets],
    jobs=[generate_node_job],
    sensors=[request_inbox_sensor],
    resources={
        "nodegen": NodegenResource(
            anthropic_api_key=_secret("ANTHROPIC_API_KEY"),
            openai_api_key=_secret("OPENAI_API_KEY"),
        ),
    },
)
