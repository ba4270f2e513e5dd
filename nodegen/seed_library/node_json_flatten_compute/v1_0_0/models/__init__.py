from .model_json_flatten_input import ModelJsonFlattenInput
from .model_json_flatten_output import ModelJsonFlattenOutput

__all__ = ["ModelJsonFlattenInput", "ModelJsonFlattenOutput"]
