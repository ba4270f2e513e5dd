from .model_loan_amortization_input import ModelLoanAmortizationInput
from .model_loan_amortization_output import ModelLoanAmortizationOutput

__all__ = ["ModelLoanAmortizationInput", "ModelLoanAmortizationOutput"]
