"""Tests of node_loan_amortization_compute."""

import asyncio

from ..models.model_loan_amortization_input import ModelLoanAmortizationInput
from ..node import NodeLoanAmortizationCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_schedule_amortizes():
    data = ModelLoanAmortizationInput(principal=1000, annual_rate_pct=12, months=12)
    out = run(NodeLoanAmortizationCompute(), data)
    assert out.payment == 88.85
    assert len(out.schedule) == 12
    assert out.schedule[-1]["balance"] == 0.0
    assert out.total_interest == 66.19


def test_zero_rate():
    out = run(
        NodeLoanAmortizationCompute(),
        ModelLoanAmortizationInput(principal=1200, annual_rate_pct=0, months=12),
    )
    assert out.payment == 100.0 and out.total_interest == 0.0
    assert OnexError("X", "y").code == "X"
