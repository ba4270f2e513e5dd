"""node_price_with_tax_compute version 1.0.0."""
