"""node_text_slugify_compute version 1.0.0."""
