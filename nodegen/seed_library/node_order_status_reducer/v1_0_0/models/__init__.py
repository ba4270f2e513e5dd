from .model_order_status_input import ModelOrderStatusInput
from .model_order_status_output import ModelOrderStatusOutput

__all__ = ["ModelOrderStatusInput", "ModelOrderStatusOutput"]
