"""Tests of node_inventory_levels_reducer."""

import asyncio

import pytest

from ..models.model_inventory_levels_input import ModelInventoryLevelsInput
from ..node import NodeInventoryLevelsReducer, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_reorder_intent():
    data = ModelInventoryLevelsInput(
        levels={"a": 10},
        reorder_points={"a": 5},
        events=[{"sku": "a", "type": "sold", "qty": 7}, {"sku": "b", "type": "received", "qty": 3}],
    )
    out = run(NodeInventoryLevelsReducer(), data)
    assert out.levels == {"a": 3, "b": 3}
    assert out.intents == [{"type": "reorder", "sku": "a", "quantity": 7}]


def test_oversell():
    data = ModelInventoryLevelsInput(events=[{"sku": "a", "type": "sold", "qty": 1}])
    with pytest.raises(OnexError):
        run(NodeInventoryLevelsReducer(), data)
