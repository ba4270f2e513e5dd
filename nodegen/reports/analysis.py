"""Analyses behind the notebooks, kept here so they are tested and the notebooks stay thin."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nodegen.reports import frames as fr
from nodegen.reports.quality_report import _stage_sort_key


def cost_quality_frontier(stage_frame: pd.DataFrame | None) -> pd.DataFrame:
    """Per (stage, model): calls, mean cost, mean quality, success rate and whether the model is
    on the stage's cost/quality Pareto frontier (no other model is both cheaper-or-equal and
    better-or-equal, with one strictly)."""
    columns = ["stage", "model", "calls", "mean_cost_usd", "mean_quality", "success_rate"]
    stages = fr.stage_frame(stage_frame)
    if stages.empty:
        return pd.DataFrame(columns=[*columns, "on_frontier"])
    agg = (
        stages.groupby(["stage", "model_used"])
        .agg(
            calls=("quality_score", "size"),
            mean_cost_usd=("cost_usd", "mean"),
            mean_quality=("quality_score", "mean"),
            success_rate=("success", "mean"),
        )
        .reset_index()
        .rename(columns={"model_used": "model"})
    )
    on = np.zeros(len(agg), dtype=bool)
    for _stage, idx in agg.groupby("stage").groups.items():
        sub = agg.loc[idx]
        for i, row in sub.iterrows():
            others = sub.drop(index=i)
            dominated = (
                (others["mean_cost_usd"] <= row["mean_cost_usd"])
                & (others["mean_quality"] >= row["mean_quality"])
                & (
                    (others["mean_cost_usd"] < row["mean_cost_usd"])
                    | (others["mean_quality"] > row["mean_quality"])
                )
            ).any()
            on[agg.index.get_loc(i)] = not dominated
    agg["on_frontier"] = on
    agg["_order"] = agg["stage"].map(_stage_sort_key)
    return (
        agg.sort_values(["_order", "mean_cost_usd"]).drop(columns="_order").reset_index(drop=True)
    )


def daily_model_share(stage_frame: pd.DataFrame | None) -> pd.DataFrame:
    """Share of each stage's calls per UTC day and model (rows: day, stage, model, share)."""
    stages = fr.stage_frame(stage_frame)
    if stages.empty:
        return pd.DataFrame(columns=["day", "stage", "model", "calls", "share"])
    s = stages.assign(day=stages["timestamp"].dt.floor("D"))
    counts = s.groupby(["day", "stage", "model_used"]).size().rename("calls")
    share = counts / counts.groupby(level=["day", "stage"]).transform("sum")
    out = pd.concat([counts, share.rename("share")], axis=1).reset_index()
    return out.rename(columns={"model_used": "model"})


def learning_curve(
    stage_frame: pd.DataFrame | None,
    generations_frame: pd.DataFrame | None,
    bin_size: int = 50,
) -> pd.DataFrame:
    """Success rate against generation count, split by whether the generation used retrieved
    patterns. Generations are numbered in `created_at` order; each bin covers `bin_size` of them.
    Rows: generation_count (end of bin), cohort ('with patterns'/'without patterns'),
    generations, success_rate."""
    if bin_size < 1:
        raise ValueError(f"bin_size must be >= 1, got {bin_size}")
    columns = ["generation_count", "cohort", "generations", "success_rate"]
    stages = fr.stage_frame(stage_frame)
    gens = fr.generations_frame(generations_frame)
    if gens.empty:
        return pd.DataFrame(columns=columns)
    used = set(stages.loc[fr.has_patterns(stages["patterns_used"]), "correlation_id"])
    g = gens.sort_values("created_at").reset_index(drop=True)
    g["generation_count"] = ((g.index // bin_size) + 1) * bin_size
    g["generation_count"] = g["generation_count"].clip(upper=len(g))
    g["cohort"] = np.where(g["correlation_id"].isin(used), "with patterns", "without patterns")
    out = (
        g.groupby(["generation_count", "cohort"])
        .agg(generations=("success", "size"), success_rate=("success", "mean"))
        .reset_index()
    )
    return out[columns]
