"""Input of node_price_with_tax_compute."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class ModelPriceWithTaxInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[tuple[Decimal, int]] = Field(min_length=1, description="(unit price, quantity)")
    discount_pct: Decimal = Field(default=Decimal("0"), ge=0, le=100)
    tax_rate_pct: Decimal = Field(default=Decimal("0"), ge=0, le=100)
