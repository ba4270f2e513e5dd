"""Tests of node_order_status_reducer."""

import asyncio

import pytest

from ..models.model_order_status_input import ModelOrderStatusInput
from ..node import NodeOrderStatusReducer, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_happy_path():
    data = ModelOrderStatusInput(order_id="o1", events=["pay", "ship", "deliver"])
    out = run(NodeOrderStatusReducer(), data)
    assert out.status == "delivered"
    assert out.history == ["created", "paid", "shipped", "delivered"]
    assert len(out.intents) == 3


def test_invalid_transition():
    with pytest.raises(OnexError) as err:
        run(NodeOrderStatusReducer(), ModelOrderStatusInput(order_id="o1", events=["ship"]))
    assert "cannot ship" in str(err.value)
