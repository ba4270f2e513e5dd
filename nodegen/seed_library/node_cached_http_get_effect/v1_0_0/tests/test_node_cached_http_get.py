"""Tests of node_cached_http_get_effect."""

import asyncio

import httpx
import pytest

from ..models.model_cached_http_get_input import ModelCachedHttpGetInput
from ..node import NodeCachedHttpGetEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_ttl_cache():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(200, json={"n": len(calls)})

    clock = Clock()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    node = NodeCachedHttpGetEffect(client, ttl_s=10, clock=clock)
    data = ModelCachedHttpGetInput(url="https://api.test/a")
    assert run(node, data).cache_hit is False
    clock.now = 5
    hit = run(node, data)
    assert hit.cache_hit and hit.body == {"n": 1}
    clock.now = 11
    assert run(node, data).body == {"n": 2}
    assert len(calls) == 2


def test_bad_ttl():
    with pytest.raises(OnexError):
        NodeCachedHttpGetEffect(ttl_s=0)
