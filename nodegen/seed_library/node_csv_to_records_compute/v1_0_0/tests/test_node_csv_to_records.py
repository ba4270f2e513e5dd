"""Tests of node_csv_to_records_compute."""

import asyncio

import pytest

from ..models.model_csv_to_records_input import ModelCsvToRecordsInput
from ..node import NodeCsvToRecordsCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_parse_and_convert():
    text = "name,qty,price\napple,3,1.5\npear,x\n\nplum,2,0.25\n"
    out = run(NodeCsvToRecordsCompute(), ModelCsvToRecordsInput(csv_text=text))
    assert out.records == [
        {"name": "apple", "qty": 3, "price": 1.5},
        {"name": "plum", "qty": 2, "price": 0.25},
    ]
    assert out.bad_rows == [3]


def test_duplicate_header():
    with pytest.raises(OnexError):
        run(NodeCsvToRecordsCompute(), ModelCsvToRecordsInput(csv_text="a,a\n1,2\n"))
