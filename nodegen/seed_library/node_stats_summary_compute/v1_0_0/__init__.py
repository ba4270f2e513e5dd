"""node_stats_summary_compute version 1.0.0."""
