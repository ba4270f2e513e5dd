from .model_etl_pipeline_input import ModelEtlPipelineInput
from .model_etl_pipeline_output import ModelEtlPipelineOutput

__all__ = ["ModelEtlPipelineInput", "ModelEtlPipelineOutput"]
