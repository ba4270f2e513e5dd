"""Tests of node_fan_out_aggregate_orchestrator."""

import asyncio

import pytest

from ..models.model_fan_out_aggregate_input import ModelFanOutAggregateInput
from ..node import NodeFanOutAggregateOrchestrator, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


async def fast(query):
    return len(query)


async def slow(query):
    await asyncio.sleep(1)
    return 0


async def broken(query):
    raise RuntimeError("boom")


def test_gathers_and_records_failures():
    node = NodeFanOutAggregateOrchestrator({"a": fast, "b": slow, "c": broken, "d": fast})
    out = run(node, ModelFanOutAggregateInput(query="abc", timeout_s=0.05))
    assert out.results == {"a": 3.0, "d": 3.0} and out.total == 6.0
    assert out.failed == ["b", "c"]
    assert out.actions[0] == {"action": "retry_worker", "worker": "b"}


def test_not_enough_successes():
    node = NodeFanOutAggregateOrchestrator({"c": broken})
    with pytest.raises(OnexError):
        run(node, ModelFanOutAggregateInput(query="q"))
