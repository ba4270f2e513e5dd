"""Tests of node_shopping_cart_reducer."""

import asyncio

import pytest

from ..models.model_shopping_cart_input import ModelShoppingCartInput
from ..node import NodeShoppingCartReducer, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_add_remove():
    events = [
        {"type": "add", "sku": "a", "qty": 2, "price": 1.5},
        {"type": "add", "sku": "b", "price": 10},
        {"type": "remove", "sku": "a", "qty": 1},
    ]
    out = run(NodeShoppingCartReducer(), ModelShoppingCartInput(events=events))
    assert out.state == {"a": {"qty": 1, "price": 1.5}, "b": {"qty": 1, "price": 10.0}}
    assert out.total == 11.5
    assert out.intents == [{"type": "checkout_ready", "total": 11.5}]


def test_input_state_not_mutated_and_clear():
    state = {"a": {"qty": 1, "price": 2.0}}
    out = run(
        NodeShoppingCartReducer(), ModelShoppingCartInput(state=state, events=[{"type": "clear"}])
    )
    assert out.state == {} and out.intents == [] and state["a"]["qty"] == 1


def test_unknown_event():
    with pytest.raises(OnexError):
        run(NodeShoppingCartReducer(), ModelShoppingCartInput(events=[{"type": "explode"}]))
