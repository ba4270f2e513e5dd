"""node_user_onboarding_orchestrator version 1.0.0."""
