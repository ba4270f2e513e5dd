"""Tests of node_http_get_json_effect."""

import asyncio

import httpx
import pytest

from ..models.model_http_get_json_input import ModelHttpGetJsonInput
from ..node import NodeHttpGetJsonEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def client(handler):
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def test_retries_then_parses():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={"ok": True})

    node = NodeHttpGetJsonEffect(client(handler), backoff_s=0)
    out = run(node, ModelHttpGetJsonInput(url="https://api.test/x"))
    assert out.body == {"ok": True} and len(calls) == 2


def test_client_error_is_typed():
    node = NodeHttpGetJsonEffect(client(lambda r: httpx.Response(404)), backoff_s=0)
    with pytest.raises(OnexError) as err:
        run(node, ModelHttpGetJsonInput(url="https://api.test/x"))
    assert err.value.code == "ONEX_CORE_004_UPSTREAM_ERROR"


def test_transport_error_exhausts_retries():
    def handler(request):
        raise httpx.ConnectError("down", request=request)

    node = NodeHttpGetJsonEffect(client(handler), backoff_s=0, max_attempts=2)
    with pytest.raises(OnexError) as err:
        run(node, ModelHttpGetJsonInput(url="https://api.test/x"))
    assert err.value.code == "ONEX_CORE_002_EXTERNAL_UNAVAILABLE"
