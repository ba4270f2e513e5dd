"""node_saga_workflow_orchestrator version 1.0.0."""
