"""node_order_fulfilment_orchestrator version 1.0.0."""
