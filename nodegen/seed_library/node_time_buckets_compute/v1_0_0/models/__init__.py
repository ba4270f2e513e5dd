from .model_time_buckets_input import ModelTimeBucketsInput
from .model_time_buckets_output import ModelTimeBucketsOutput

__all__ = ["ModelTimeBucketsInput", "ModelTimeBucketsOutput"]
