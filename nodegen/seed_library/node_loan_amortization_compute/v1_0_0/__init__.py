"""node_loan_amortization_compute version 1.0.0."""
