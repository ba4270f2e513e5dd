from .model_fan_out_aggregate_input import ModelFanOutAggregateInput
from .model_fan_out_aggregate_output import ModelFanOutAggregateOutput

__all__ = ["ModelFanOutAggregateInput", "ModelFanOutAggregateOutput"]
