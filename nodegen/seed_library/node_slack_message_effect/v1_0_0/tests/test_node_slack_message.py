"""Tests of node_slack_message_effect."""

import asyncio

import httpx
import pytest

from ..models.model_slack_message_input import ModelSlackMessageInput
from ..node import NodeSlackMessageEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


import json  # noqa: E402


def make(reply):
    def handler(request):
        body = json.loads(request.content)
        assert body == {"channel": "#ops", "text": "deployed"}
        return httpx.Response(200, json=reply)

    return NodeSlackMessageEffect(httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def test_posted():
    out = run(
        make({"ok": True, "ts": "1.2"}),
        ModelSlackMessageInput(channel="#ops", text="deployed", token="x"),
    )
    assert out.ok and out.ts == "1.2"


def test_slack_error():
    with pytest.raises(OnexError) as err:
        run(
            make({"ok": False, "error": "channel_not_found"}),
            ModelSlackMessageInput(channel="#ops", text="deployed", token="x"),
        )
    assert "channel_not_found" in str(err.value)
