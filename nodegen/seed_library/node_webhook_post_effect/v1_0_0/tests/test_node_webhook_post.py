"""Tests of node_webhook_post_effect."""

import asyncio

import httpx
import pytest

from ..models.model_webhook_post_input import ModelWebhookPostInput
from ..node import NodeWebhookPostEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def make(handler):
    return NodeWebhookPostEffect(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)), backoff_s=0
    )


def test_same_event_same_key_and_retry():
    keys = []

    def handler(request):
        keys.append(request.headers["Idempotency-Key"])
        return httpx.Response(500 if len(keys) == 1 else 202)

    data = ModelWebhookPostInput(url="https://hooks.test/x", event={"b": 1, "a": 2})
    out = run(make(handler), data)
    assert out.delivered and out.status_code == 202
    assert keys[0] == keys[1] == out.idempotency_key


def test_rejected():
    with pytest.raises(OnexError):
        run(
            make(lambda r: httpx.Response(400)),
            ModelWebhookPostInput(url="https://h.test", event={}),
        )


def test_server_down_reports_not_delivered():
    out = run(
        make(lambda r: httpx.Response(502)), ModelWebhookPostInput(url="https://h.test", event={})
    )
    assert not out.delivered and out.status_code == 502
