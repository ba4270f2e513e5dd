"""Tests of node_price_with_tax_compute."""

import asyncio

import pytest

from ..models.model_price_with_tax_input import ModelPriceWithTaxInput
from ..node import NodePriceWithTaxCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


from decimal import Decimal  # noqa: E402


def test_invoice_total():
    data = ModelPriceWithTaxInput(
        items=[(Decimal("10.00"), 2), (Decimal("0.99"), 3)],
        discount_pct=Decimal("10"),
        tax_rate_pct=Decimal("20"),
    )
    out = run(NodePriceWithTaxCompute(), data)
    assert out.subtotal == Decimal("22.97")
    assert out.discount == Decimal("2.30")
    assert out.tax == Decimal("4.13")
    assert out.total == Decimal("24.80")


def test_negative_quantity():
    with pytest.raises(OnexError):
        run(NodePriceWithTaxCompute(), ModelPriceWithTaxInput(items=[(Decimal("1"), -1)]))
