"""Tests of node_time_buckets_compute."""

import asyncio

import pytest

from ..models.model_time_buckets_input import ModelTimeBucketsInput
from ..node import NodeTimeBucketsCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_hourly():
    stamps = ["2024-05-01T10:05:00Z", "2024-05-01T10:55:00+00:00", "2024-05-01T12:00:00+01:00"]
    out = run(NodeTimeBucketsCompute(), ModelTimeBucketsInput(timestamps=stamps))
    assert out.buckets == {"2024-05-01T10:00Z": 2, "2024-05-01T11:00Z": 1}


def test_daily_and_bad_input():
    data = ModelTimeBucketsInput(timestamps=["2024-05-01", "2024-05-02"], granularity="day")
    assert run(NodeTimeBucketsCompute(), data).buckets == {"2024-05-01": 1, "2024-05-02": 1}
    with pytest.raises(OnexError):
        run(NodeTimeBucketsCompute(), ModelTimeBucketsInput(timestamps=["yesterday"]))
