"""Input of node_account_balance_reducer."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class ModelAccountBalanceInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    balance: Decimal = Decimal("0")
    overdraft_limit: Decimal = Field(default=Decimal("0"), ge=0)
    low_balance_threshold: Decimal = Decimal("100")
    transactions: list[tuple[str, str, Decimal]] = Field(description="(id, kind, amount)")
