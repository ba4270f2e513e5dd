"""node_json_flatten_compute version 1.0.0."""
