"""node_notification_router_orchestrator version 1.0.0."""
