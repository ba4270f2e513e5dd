"""node_password_strength_compute version 1.0.0."""
