"""Pure compute: invoice subtotal, discount, tax and total in Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .models.model_price_with_tax_input import ModelPriceWithTaxInput
from .models.model_price_with_tax_output import ModelPriceWithTaxOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


CENT = Decimal("0.01")


class NodePriceWithTaxCompute:
    """Pure compute: invoice subtotal, discount, tax and total in Decimal."""

    async def process(self, input_data: ModelPriceWithTaxInput) -> ModelPriceWithTaxOutput:
        for price, qty in input_data.items:
            if price < 0 or qty < 0:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "negative price or quantity")
        subtotal = sum((p * q for p, q in input_data.items), Decimal("0"))
        discount = (subtotal * input_data.discount_pct / 100).quantize(CENT, ROUND_HALF_UP)
        taxable = subtotal - discount
        tax = (taxable * input_data.tax_rate_pct / 100).quantize(CENT, ROUND_HALF_UP)
        return ModelPriceWithTaxOutput(
            subtotal=subtotal.quantize(CENT, ROUND_HALF_UP),
            discount=discount,
            tax=tax,
            total=(taxable + tax).quantize(CENT, ROUND_HALF_UP),
        )
