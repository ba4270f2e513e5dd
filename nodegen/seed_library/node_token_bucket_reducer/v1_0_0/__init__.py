"""node_token_bucket_reducer version 1.0.0."""
