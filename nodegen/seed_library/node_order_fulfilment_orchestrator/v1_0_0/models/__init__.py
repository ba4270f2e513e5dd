from .model_order_fulfilment_input import ModelOrderFulfilmentInput
from .model_order_fulfilment_output import ModelOrderFulfilmentOutput

__all__ = ["ModelOrderFulfilmentInput", "ModelOrderFulfilmentOutput"]
