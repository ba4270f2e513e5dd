"""Tests of node_token_bucket_reducer."""

import asyncio

import pytest

from ..models.model_token_bucket_input import ModelTokenBucketInput
from ..node import NodeTokenBucketReducer, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_throttles_then_refills():
    data = ModelTokenBucketInput(
        capacity=2, refill_per_s=1, tokens=2, last_ts=0, request_timestamps=[0, 0, 0, 1.0]
    )
    out = run(NodeTokenBucketReducer(), data)
    assert out.decisions == [True, True, False, True]
    assert out.intents == ["emit_throttle_metric"] and out.last_ts == 1.0


def test_time_goes_back():
    data = ModelTokenBucketInput(
        capacity=1, refill_per_s=1, tokens=1, last_ts=5, request_timestamps=[4]
    )
    with pytest.raises(OnexError):
        run(NodeTokenBucketReducer(), data)
