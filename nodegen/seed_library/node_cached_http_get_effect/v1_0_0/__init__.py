"""node_cached_http_get_effect version 1.0.0."""
