"""Tests of node_email_validate_compute."""

import asyncio

from ..models.model_email_validate_input import ModelEmailValidateInput
from ..node import NodeEmailValidateCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_split_valid_invalid():
    data = ModelEmailValidateInput(emails=[" Ann@Example.com", "ann@example.com", "bob", "x@y"])
    out = run(NodeEmailValidateCompute(), data)
    assert out.valid == ["ann@example.com"]
    assert out.invalid == {"bob": "missing @", "x@y": "malformed address"}


def test_node_error_type_is_exported():
    assert issubclass(OnexError, Exception)
