"""node_slack_message_effect version 1.0.0."""
