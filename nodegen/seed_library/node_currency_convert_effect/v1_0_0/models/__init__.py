from .model_currency_convert_input import ModelCurrencyConvertInput
from .model_currency_convert_output import ModelCurrencyConvertOutput

__all__ = ["ModelCurrencyConvertInput", "ModelCurrencyConvertOutput"]
