"""Output of node_currency_convert_effect."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class ModelCurrencyConvertOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rate: Decimal
    converted: Decimal
