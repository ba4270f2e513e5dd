"""Tests of node_text_slugify_compute."""

import asyncio

import pytest

from ..models.model_text_slugify_input import ModelTextSlugifyInput
from ..node import NodeTextSlugifyCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_slug_basic():
    out = run(NodeTextSlugifyCompute(), ModelTextSlugifyInput(title="Héllo, World! 2024"))
    assert out.slug == "hello-world-2024"
    assert not out.truncated


def test_slug_truncates_on_word_boundary():
    data = ModelTextSlugifyInput(title="alpha beta gamma delta", max_length=12)
    out = run(NodeTextSlugifyCompute(), data)
    assert out.slug == "alpha-beta"
    assert out.truncated


def test_slug_rejects_symbols_only():
    with pytest.raises(OnexError) as err:
        run(NodeTextSlugifyCompute(), ModelTextSlugifyInput(title="!!! ???"))
    assert err.value.code == "ONEX_CORE_001_INVALID_PARAMETER"
