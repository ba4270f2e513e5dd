"""Pure compute: fixed-rate loan amortization schedule."""

from __future__ import annotations

from .models.model_loan_amortization_input import ModelLoanAmortizationInput
from .models.model_loan_amortization_output import ModelLoanAmortizationOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeLoanAmortizationCompute:
    """Pure compute: fixed-rate loan amortization schedule."""

    async def process(self, input_data: ModelLoanAmortizationInput) -> ModelLoanAmortizationOutput:
        rate = input_data.annual_rate_pct / 100 / 12
        n = input_data.months
        if rate == 0:
            payment = input_data.principal / n
        else:
            payment = input_data.principal * rate / (1 - (1 + rate) ** -n)
        balance = input_data.principal
        schedule: list[dict[str, float]] = []
        total_interest = 0.0
        for month in range(1, n + 1):
            interest = balance * rate
            part = min(payment - interest, balance)
            balance = max(balance - part, 0.0)
            total_interest += interest
            schedule.append(
                {
                    "month": month,
                    "interest": round(interest, 2),
                    "principal": round(part, 2),
                    "balance": round(balance, 2),
                }
            )
        if schedule[-1]["balance"] > 0.01:
            raise OnexError("ONEX_CORE_003_COMPUTATION_FAILED", "schedule did not amortize")
        return ModelLoanAmortizationOutput(
            payment=round(payment, 2), schedule=schedule, total_interest=round(total_interest, 2)
        )
