"""node_webhook_post_effect version 1.0.0."""
