"""Output of node_etl_pipeline_orchestrator."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelEtlPipelineOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stages: list[list[str]]
    actions: list[dict[str, Any]]
