"""node_time_buckets_compute version 1.0.0."""
