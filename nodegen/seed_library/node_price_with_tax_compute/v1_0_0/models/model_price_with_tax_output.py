"""Output of node_price_with_tax_compute."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class ModelPriceWithTaxOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
