"""Tests of node_json_flatten_compute."""

import asyncio

import pytest

from ..models.model_json_flatten_input import ModelJsonFlattenInput
from ..node import NodeJsonFlattenCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_flatten():
    doc = {"a": {"b": 1, "c": [10, {"d": None}]}, "e": []}
    out = run(NodeJsonFlattenCompute(), ModelJsonFlattenInput(document=doc))
    assert out.flat == {"a.b": 1, "a.c.0": 10, "a.c.1.d": None, "e": []}


def test_depth_limit():
    doc = {"a": {"b": {"c": 1}}}
    with pytest.raises(OnexError):
        run(NodeJsonFlattenCompute(), ModelJsonFlattenInput(document=doc, max_depth=2))
