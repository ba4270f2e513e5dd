"""Output of node_account_balance_reducer."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class ModelAccountBalanceOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    balance: Decimal
    applied: list[str]
    rejected: list[str]
    intents: list[str]
