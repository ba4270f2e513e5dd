"""Reducer: ledger transactions -> balance, rejected ids and alert intents."""

from __future__ import annotations

from .models.model_account_balance_input import ModelAccountBalanceInput
from .models.model_account_balance_output import ModelAccountBalanceOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeAccountBalanceReducer:
    """Reducer: ledger transactions -> balance, rejected ids and alert intents."""

    async def process(self, input_data: ModelAccountBalanceInput) -> ModelAccountBalanceOutput:
        balance = input_data.balance
        applied: list[str] = []
        rejected: list[str] = []
        for tx_id, kind, amount in input_data.transactions:
            if amount <= 0:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"{tx_id}: amount must be > 0")
            if kind == "deposit":
                balance += amount
            elif kind == "withdrawal":
                if balance - amount < -input_data.overdraft_limit:
                    rejected.append(tx_id)
                    continue
                balance -= amount
            else:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"{tx_id}: unknown kind {kind}")
            applied.append(tx_id)
        intents = ["send_low_balance_alert"] if balance < input_data.low_balance_threshold else []
        return ModelAccountBalanceOutput(
            balance=balance, applied=applied, rejected=rejected, intents=intents
        )
