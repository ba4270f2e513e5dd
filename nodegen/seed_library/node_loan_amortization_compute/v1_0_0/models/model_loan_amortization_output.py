"""Output of node_loan_amortization_compute."""

from pydantic import BaseModel, ConfigDict


class ModelLoanAmortizationOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment: float
    schedule: list[dict[str, float]]
    total_interest: float
