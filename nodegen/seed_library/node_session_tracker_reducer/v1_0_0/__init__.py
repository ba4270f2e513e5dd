"""node_session_tracker_reducer version 1.0.0."""
