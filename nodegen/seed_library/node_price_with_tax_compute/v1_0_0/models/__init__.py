from .model_price_with_tax_input import ModelPriceWithTaxInput
from .model_price_with_tax_output import ModelPriceWithTaxOutput

__all__ = ["ModelPriceWithTaxInput", "ModelPriceWithTaxOutput"]
