"""Jobs: the per-request generation (all eight stages of one partition)."""

from dagster import AssetSelection, define_asset_job

from nodegen_assets.partitions import requests_partitions

generate_node_job = define_asset_job(
    "generate_node",
    selection=AssetSelection.groups("generation"),
    partitions_def=requests_partitions,
    description="All eight stages for one request partition.",
)
