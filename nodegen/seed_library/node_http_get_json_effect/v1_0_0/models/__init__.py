from .model_http_get_json_input import ModelHttpGetJsonInput
from .model_http_get_json_output import ModelHttpGetJsonOutput

__all__ = ["ModelHttpGetJsonInput", "ModelHttpGetJsonOutput"]
