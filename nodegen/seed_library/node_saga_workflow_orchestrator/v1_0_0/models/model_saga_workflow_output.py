"""Output of node_saga_workflow_orchestrator."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class ModelSagaWorkflowOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    succeeded: bool
    completed: list[str]
    compensated: list[str]
    context: dict[str, Any]
    error: str | None = None
