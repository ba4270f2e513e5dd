"""Opening the pattern library for the pipeline, and turning a finished generation into a pattern."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from nodegen.artifacts import recipe_tags
from nodegen.patterns.embedder import Embedder
from nodegen.patterns.extract import extract_patterns
from nodegen.patterns.seeds import load_seed_library
from nodegen.patterns.store import AddResult, PatternRecord, PatternStore

if TYPE_CHECKING:
    from nodegen.pipeline import GenerationState


def open_pattern_store(uri: str | os.PathLike[str], *, seed: bool = True) -> PatternStore:
    """The LanceDB pattern store at `uri` with the cached MiniLM embedder; on first open it is
    seeded with the hand-written seed library (idempotent), so retrieval has something to find."""
    store = PatternStore(uri, Embedder.load())
    if seed and store.count() == 0:
        load_seed_library(store)
    return store


def pattern_from_generation(state: GenerationState) -> PatternRecord | None:
    """A pattern candidate from a validated generation (None when it never got that far). Its
    operations name the PRD's recipes as well as what the code does, so a later request worded
    differently can be built the same way."""
    if state.prd is None or state.source is None or state.report is None:
        return None
    contract = state.contract
    summary = ""
    if contract is not None:
        summary = " | ".join(
            [f"{contract.name} [{contract.node_type}]", contract.description,
             "capabilities: " + ", ".join(contract.capabilities)]
        )
    return PatternRecord(
        correlation_id=state.correlation_id,
        node_type=state.prd.node_kind,
        domain=state.prd.domain,
        node_name=state.prd.name,
        prompt=state.request.prompt,
        contract_summary=summary,
        code=state.source.files.get("node.py", ""),
        files=state.source.files,
        operations=recipe_tags(state.prd.operations) + extract_patterns(state.source.files).operations,
        quality_score=state.report.quality_score,
        models_used=state.stage_models(),
    )


def remember_generation(store: PatternStore, state: GenerationState) -> AddResult | None:
    """Offer a generation to the library; the store keeps it only when quality >= its threshold."""
    record = pattern_from_generation(state)
    return store.add(record) if record is not None else None
