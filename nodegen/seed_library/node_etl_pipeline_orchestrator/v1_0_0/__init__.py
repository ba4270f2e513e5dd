"""node_etl_pipeline_orchestrator version 1.0.0."""
