from .model_shopping_cart_input import ModelShoppingCartInput
from .model_shopping_cart_output import ModelShoppingCartOutput

__all__ = ["ModelShoppingCartInput", "ModelShoppingCartOutput"]
