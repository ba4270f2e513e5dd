from .model_token_bucket_input import ModelTokenBucketInput
from .model_token_bucket_output import ModelTokenBucketOutput

__all__ = ["ModelTokenBucketInput", "ModelTokenBucketOutput"]
