"""node_http_get_json_effect version 1.0.0."""
