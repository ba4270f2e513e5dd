from .model_paginated_fetch_input import ModelPaginatedFetchInput
from .model_paginated_fetch_output import ModelPaginatedFetchOutput

__all__ = ["ModelPaginatedFetchInput", "ModelPaginatedFetchOutput"]
