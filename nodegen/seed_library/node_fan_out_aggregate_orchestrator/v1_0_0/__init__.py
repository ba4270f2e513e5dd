"""node_fan_out_aggregate_orchestrator version 1.0.0."""
