"""Input of node_loan_amortization_compute."""

from pydantic import BaseModel, ConfigDict, Field


class ModelLoanAmortizationInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principal: float = Field(gt=0)
    annual_rate_pct: float = Field(ge=0, le=100)
    months: int = Field(ge=1, le=600)
