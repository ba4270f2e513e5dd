"""Canary routing: a stable share of requests goes to the next cheaper candidate to earn samples.

The bucket comes from a hash of the correlation id, so a request always lands in the same bucket
(re-runs route identically) and the share holds without any shared state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping

from pydantic import BaseModel

from nodegen.config import ModelCatalogue, ModelSelectionConfig
from nodegen.stages import Stage

# Nominal call used to rank catalogue prices when no observed cost exists.
NOMINAL_TOKENS_INPUT = 2000
NOMINAL_TOKENS_OUTPUT = 1000
NOMINAL_COMPUTE_SECONDS = 5.0


class RouteChoice(BaseModel):
    model: str
    is_canary: bool
    routing_key: str  # the routing key that decided ("stage" or "stage:kind")
    current_model: str  # the model in force for that key


def canary_bucket(correlation_id: str) -> float:
    """A number in [0, 1) fixed by the correlation id (first 8 bytes of its SHA-256)."""
    digest = hashlib.sha256(correlation_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def routing_key_for(stage: str, routing: Mapping[str, str], node_kind: str | None) -> str:
    """Per-kind overrides ("stage:kind") win over the stage key."""
    if node_kind:
        key = f"{stage}:{node_kind}"
        if key in routing:
            return key
    return stage


def nominal_cost(model: str, catalogue: ModelCatalogue | None) -> float | None:
    if catalogue is None or model not in catalogue.models:
        return None
    return catalogue.models[model].cost_usd(
        NOMINAL_TOKENS_INPUT, NOMINAL_TOKENS_OUTPUT, compute_seconds=NOMINAL_COMPUTE_SECONDS
    )


def expected_cost(
    model: str,
    catalogue: ModelCatalogue | None,
    observed_costs: Mapping[str, float] | None = None,
) -> float | None:
    """Expected cost per call: the observed mean when there is one, else the catalogue price."""
    if observed_costs and model in observed_costs:
        return float(observed_costs[model])
    return nominal_cost(model, catalogue)


def next_cheaper_candidate(
    stage: str,
    current: str,
    selection: ModelSelectionConfig,
    catalogue: ModelCatalogue | None,
    observed_costs: Mapping[str, float] | None = None,
    exclude: Collection[str] = (),
) -> str | None:
    """The cheapest step down from `current`: the most expensive candidate still cheaper than it.

    Candidates with unknown cost, or listed in `exclude` (rolled back and cooling down, or shown
    clearly worse), are skipped. None when there is nothing cheaper.
    """
    try:
        stage_routing = selection.routing_for(Stage(stage))
    except ValueError:
        return None
    current_cost = expected_cost(current, catalogue, observed_costs)
    if current_cost is None:
        return None
    cheaper: list[tuple[float, int, str]] = []
    for cand in stage_routing.candidates:
        if cand.model == current or cand.model in exclude:
            continue
        cost = expected_cost(cand.model, catalogue, observed_costs)
        if cost is not None and cost < current_cost:
            cheaper.append((cost, -cand.priority, cand.model))
    if not cheaper:
        return None
    return max(cheaper)[2]


def route_model(
    stage: str | Stage,
    correlation_id: str,
    routing: Mapping[str, str],
    selection: ModelSelectionConfig,
    catalogue: ModelCatalogue | None,
    node_kind: str | None = None,
    *,
    observed_costs: Mapping[str, float] | None = None,
    exclude: Collection[str] = (),
) -> RouteChoice:
    """The model that serves this stage call: the routed one, or for a canary share of ids the
    next cheaper candidate (see `next_cheaper_candidate`)."""
    stage = Stage(stage).value
    key = routing_key_for(stage, routing, node_kind)
    if key in routing:
        current = routing[key]
    else:
        current = selection.routing_for(Stage(stage)).by_priority()[0].model
    share = selection.canary_share
    if share > 0 and canary_bucket(correlation_id) < share:
        target = next_cheaper_candidate(stage, current, selection, catalogue, observed_costs, exclude)
        if target is not None:
            return RouteChoice(model=target, is_canary=True, routing_key=key, current_model=current)
    return RouteChoice(model=current, is_canary=False, routing_key=key, current_model=current)
