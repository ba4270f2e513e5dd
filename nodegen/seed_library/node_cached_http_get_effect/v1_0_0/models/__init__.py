from .model_cached_http_get_input import ModelCachedHttpGetInput
from .model_cached_http_get_output import ModelCachedHttpGetOutput

__all__ = ["ModelCachedHttpGetInput", "ModelCachedHttpGetOutput"]
