"""Tests of node_account_balance_reducer."""

import asyncio

import pytest

from ..models.model_account_balance_input import ModelAccountBalanceInput
from ..node import NodeAccountBalanceReducer, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


from decimal import Decimal  # noqa: E402


def test_ledger():
    txs = [
        ("t1", "deposit", Decimal("150")),
        ("t2", "withdrawal", Decimal("200")),
        ("t3", "withdrawal", Decimal("100")),
    ]
    data = ModelAccountBalanceInput(transactions=txs, overdraft_limit=Decimal("0"))
    out = run(NodeAccountBalanceReducer(), data)
    assert out.balance == Decimal("50") and out.applied == ["t1", "t3"]
    assert out.rejected == ["t2"] and out.intents == ["send_low_balance_alert"]


def test_negative_amount():
    data = ModelAccountBalanceInput(transactions=[("t", "deposit", Decimal("-1"))])
    with pytest.raises(OnexError):
        run(NodeAccountBalanceReducer(), data)
