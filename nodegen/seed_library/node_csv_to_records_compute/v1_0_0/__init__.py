"""node_csv_to_records_compute version 1.0.0."""
