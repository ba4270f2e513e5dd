"""node_email_validate_compute version 1.0.0."""
