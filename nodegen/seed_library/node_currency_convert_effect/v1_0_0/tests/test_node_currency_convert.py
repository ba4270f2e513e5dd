"""Tests of node_currency_convert_effect."""

import asyncio

import httpx
import pytest

from ..models.model_currency_convert_input import ModelCurrencyConvertInput
from ..node import NodeCurrencyConvertEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


from decimal import Decimal  # noqa: E402


def make():
    def handler(request):
        assert request.url.params["base"] == "EUR"
        return httpx.Response(200, json={"base": "EUR", "rates": {"USD": 1.0825}})

    return NodeCurrencyConvertEffect(httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def test_convert():
    data = ModelCurrencyConvertInput(amount=Decimal("10"), from_currency="EUR", to_currency="USD")
    out = run(make(), data)
    assert out.rate == Decimal("1.0825") and out.converted == Decimal("10.83")


def test_unknown_currency():
    data = ModelCurrencyConvertInput(amount=Decimal("1"), from_currency="EUR", to_currency="JPY")
    with pytest.raises(OnexError):
        run(make(), data)
