"""Jobs: the per-request generation (all eight stages of one partition)."""

from dagster import AssetSelection, define_asset_job, in_process_executor

# The stages are strictly sequential, so one process per run: the embedder and models load once
# per run instead of once per step.
generate_node_job = define_asset_job(
    "generate_node",
    selection=AssetSelection.groups("generation"),
    executor_def=in_process_executor,
    description="All eight stages for one request partition.",
)
