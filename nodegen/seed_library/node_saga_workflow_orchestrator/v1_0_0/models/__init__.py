from .model_saga_workflow_input import ModelSagaWorkflowInput
from .model_saga_workflow_output import ModelSagaWorkflowOutput

__all__ = ["ModelSagaWorkflowInput", "ModelSagaWorkflowOutput"]
