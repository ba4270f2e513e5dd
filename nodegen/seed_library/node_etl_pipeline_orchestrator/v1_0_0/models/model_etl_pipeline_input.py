"""Input of node_etl_pipeline_orchestrator."""

from pydantic import BaseModel, ConfigDict, Field


class ModelEtlPipelineInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: dict[str, list[str]] = Field(description="step -> steps it depends on")
