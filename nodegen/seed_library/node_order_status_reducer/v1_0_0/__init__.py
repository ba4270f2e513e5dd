"""node_order_status_reducer version 1.0.0."""
