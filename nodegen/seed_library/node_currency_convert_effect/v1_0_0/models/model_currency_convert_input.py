"""Input of node_currency_convert_effect."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class ModelCurrencyConvertInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(ge=0)
    from_currency: str = Field(pattern=r"^[A-Z]{3}$")
    to_currency: str = Field(pattern=r"^[A-Z]{3}$")
    rates_url: str = "https://rates.example/latest"
