"""Input of node_saga_workflow_orchestrator."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelSagaWorkflowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[str] = Field(min_length=1)
    context: dict[str, Any] = Field(default_factory=dict)
