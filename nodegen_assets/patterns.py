"""Pattern library assets: the LanceDB table of successful generations, and what it is worth.

`pattern_embeddings` is the table itself: it re-embeds every row when the embedding model changed
(rows of two models in one vector space would make similarities meaningless) and, when the weekly
maintenance job asks, prunes patterns nobody retrieved for 90 days and rebuilds the index.
`pattern_library_stats` compares generations whose intelligence stage retrieved patterns with those
that retrieved none, from the metrics store.
"""

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetSelection,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
    in_process_executor,
)
from pydantic import Field

from nodegen.stages import Stage
from nodegen_assets.metrics import md_table
from resources import NodegenResource

GROUP = "patterns"


class PatternMaintenanceConfig(Config):
    """Off by default (a plain materialization only checks the embedder); the weekly job sets both."""

    prune_unused_days: int | None = Field(
        default=None, ge=1, description="Delete patterns not retrieved for this many days (seeds kept)"
    )
    reindex: bool = Field(default=False, description="Rebuild the vector and scalar indices")


@asset(group_name=GROUP, kinds={"lancedb"})
def pattern_embeddings(
    context: AssetExecutionContext, config: PatternMaintenanceConfig, nodegen: NodegenResource
) -> MaterializeResult:
    """The `successful_generations` LanceDB table: MiniLM vectors of successful generations' prompts
    with their kind, domain, code and quality, searched by the intelligence stage."""
    store = nodegen.pattern_store()
    reembedded = store.reembed_all()  # only rows embedded by another model than the current one
    if reembedded:
        context.log.info(f"re-embedded {reembedded} rows with {store.embedder.model_id}")
    pruned = 0
    if config.prune_unused_days is not None:
        pruned = store.prune(unused_days=config.prune_unused_days)
        context.log.info(f"pruned {pruned} patterns unused for {config.prune_unused_days} days")
    if config.reindex:
        indexed = store.reindex()
        context.log.info("index rebuilt" if indexed else "below the index threshold: exact search")
    elif store.count() >= store.index_threshold and not store.has_vector_index():
        store.reindex()
    stats = store.stats()
    return MaterializeResult(
        metadata={
            "uri": store.uri,
            "rows": stats["size"],
            "seed_patterns": stats["seed_patterns"],
            "embedder_id": store.embedder.model_id,
            "reembedded": reembedded,
            "pruned": pruned,
            "vector_index": stats["vector_index"],
            "index_threshold": stats["index_threshold"],
            "by_kind_domain": MetadataValue.md(md_table(pd.DataFrame(store.breakdown()))),
        }
    )


def pattern_usage(generations: pd.DataFrame, intelligence: pd.DataFrame) -> pd.DataFrame:
    """Finished generations split by whether their intelligence stage retrieved any pattern:
    count, success rate and mean quality of each group."""
    finished = generations[generations["status"] != "running"]
    used_ids = {
        cid for cid, used in zip(intelligence["correlation_id"], intelligence["patterns_used"], strict=True)
        if len(used) > 0
    }
    rows = []
    for label, mask in (
        ("with patterns", finished["correlation_id"].isin(used_ids)),
        ("without patterns", ~finished["correlation_id"].isin(used_ids)),
    ):
        group = finished[mask]
        rows.append({
            "generations": label,
            "count": len(group),
            "success_rate": float(group["success"].mean()) if len(group) else float("nan"),
            "mean_quality": float(group["quality_score"].mean()) if len(group) else float("nan"),
        })
    return pd.DataFrame(rows)


@asset(group_name=GROUP, deps=[pattern_embeddings], kinds={"pandas"})
def pattern_library_stats(context: AssetExecutionContext, nodegen: NodegenResource) -> MaterializeResult:
    """Size and coverage of the library, how much of it is reused, and success and quality of
    generations with vs without retrieved patterns (is the library paying off?)."""
    stats = nodegen.pattern_store().stats()
    store = nodegen.metrics_store()
    usage = pattern_usage(store.generations_frame(), store.stage_metrics_frame(stage=Stage.INTELLIGENCE.value))
    with_, without = usage.iloc[0], usage.iloc[1]
    finished = int(usage["count"].sum())
    context.log.info(f"{stats['size']} patterns; {int(with_['count'])}/{finished} generations used patterns")

    def number(value: float) -> float | None:
        return None if pd.isna(value) else round(float(value), 4)

    metadata: dict[str, object] = {
        "size": stats["size"],
        "seed_patterns": stats["seed_patterns"],
        "by_kind": MetadataValue.json(stats["by_kind"]),
        "by_domain": MetadataValue.json(stats["by_domain"]),
        "patterns_reused": stats["patterns_reused"],
        "pattern_reuse_rate": round(stats["reuse_rate"], 4),
        "total_retrievals": stats["total_retrievals"],
        "generations_with_patterns": int(with_["count"]),
        "generation_reuse_rate": round(int(with_["count"]) / finished, 4) if finished else 0.0,
        "with_vs_without": MetadataValue.md(md_table(usage)),
        "top_reused": MetadataValue.md(md_table(pd.DataFrame(stats["top_reused"]))),
    }
    for key, row in (("with_patterns", with_), ("without_patterns", without)):
        for column in ("success_rate", "mean_quality"):
            value = number(row[column])
            if value is not None:
                metadata[f"{column}_{key}"] = value
    return MaterializeResult(metadata=metadata)


pattern_assets = [pattern_embeddings, pattern_library_stats]

pattern_maintenance_job = define_asset_job(
    "pattern_maintenance",
    selection=AssetSelection.groups(GROUP),
    executor_def=in_process_executor,  # one process: the embedder loads once
    description="Prune patterns unused for 90 days, rebuild the index, refresh the library stats.",
    config={"ops": {"pattern_embeddings": {"config": {"prune_unused_days": 90, "reindex": True}}}},
)
