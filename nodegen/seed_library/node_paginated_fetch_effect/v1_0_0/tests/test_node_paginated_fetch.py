"""Tests of node_paginated_fetch_effect."""

import asyncio

import httpx
import pytest

from ..models.model_paginated_fetch_input import ModelPaginatedFetchInput
from ..node import NodePaginatedFetchEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def handler(request):
    cursor = int(request.url.params.get("cursor", "0"))
    nxt = str(cursor + 1) if cursor < 2 else None
    return httpx.Response(200, json={"items": [cursor * 10, cursor * 10 + 1], "next_cursor": nxt})


def make():
    return NodePaginatedFetchEffect(httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def test_follows_cursor():
    out = run(make(), ModelPaginatedFetchInput(url="https://api.test/items"))
    assert out.items == [0, 1, 10, 11, 20, 21] and out.pages == 3 and out.complete


def test_page_limit():
    out = run(make(), ModelPaginatedFetchInput(url="https://api.test/items", max_pages=2))
    assert out.pages == 2 and not out.complete


def test_error_page():
    node = NodePaginatedFetchEffect(
        httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(403)))
    )
    with pytest.raises(OnexError):
        run(node, ModelPaginatedFetchInput(url="https://api.test/items"))
