"""node_account_balance_reducer version 1.0.0."""
