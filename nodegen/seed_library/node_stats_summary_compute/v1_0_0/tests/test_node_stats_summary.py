"""Tests of node_stats_summary_compute."""

import asyncio

import pytest

from ..models.model_stats_summary_input import ModelStatsSummaryInput
from ..node import NodeStatsSummaryCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_summary():
    out = run(NodeStatsSummaryCompute(), ModelStatsSummaryInput(values=list(range(1, 11))))
    assert out.count == 10 and out.mean == 5.5 and out.median == 5.5
    assert abs(out.p90 - 9.1) < 1e-9
    assert out.minimum == 1 and out.maximum == 10


def test_nan_rejected():
    with pytest.raises(OnexError):
        run(NodeStatsSummaryCompute(), ModelStatsSummaryInput(values=[1.0, float("nan")]))
