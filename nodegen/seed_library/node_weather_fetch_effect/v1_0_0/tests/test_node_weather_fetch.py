"""Tests of node_weather_fetch_effect."""

import asyncio

import httpx
import pytest

from ..models.model_weather_fetch_input import ModelWeatherFetchInput
from ..node import NodeWeatherFetchEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


PAYLOAD = {
    "name": "Oslo",
    "main": {"temp": 3.5, "humidity": 81},
    "weather": [{"description": "snow"}],
}


def make(handler):
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return NodeWeatherFetchEffect(client, backoff_s=0)


def test_weather_parsed_and_key_sent():
    seen = {}

    def handler(request):
        seen["key"] = request.headers["X-Api-Key"]
        seen["q"] = request.url.params["q"]
        return httpx.Response(200, json=PAYLOAD)

    out = run(make(handler), ModelWeatherFetchInput(city="Oslo", api_key="k"))
    assert (out.temperature_c, out.humidity_pct, out.description) == (3.5, 81, "snow")
    assert seen == {"key": "k", "q": "Oslo"}


def test_bad_payload():
    node = make(lambda r: httpx.Response(200, json={"main": {}}))
    with pytest.raises(OnexError) as err:
        run(node, ModelWeatherFetchInput(city="Oslo", api_key="k"))
    assert err.value.code == "ONEX_CORE_005_BAD_RESPONSE"
