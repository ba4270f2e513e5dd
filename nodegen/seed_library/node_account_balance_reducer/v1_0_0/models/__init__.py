from .model_account_balance_input import ModelAccountBalanceInput
from .model_account_balance_output import ModelAccountBalanceOutput

__all__ = ["ModelAccountBalanceInput", "ModelAccountBalanceOutput"]
