"""Tests of node_word_frequency_compute."""

import asyncio

import pytest

from ..models.model_word_frequency_input import ModelWordFrequencyInput
from ..node import NodeWordFrequencyCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_counts_and_stopwords():
    text = "The cat and the hat. The cat sat!"
    out = run(NodeWordFrequencyCompute(), ModelWordFrequencyInput(text=text, top_n=2))
    assert out.words == [("cat", 2), ("hat", 1)]
    assert out.total_words == 4


def test_empty_text_is_an_error():
    with pytest.raises(OnexError):
        run(NodeWordFrequencyCompute(), ModelWordFrequencyInput(text="   "))
