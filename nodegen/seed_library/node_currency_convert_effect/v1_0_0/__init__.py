"""node_currency_convert_effect version 1.0.0."""
