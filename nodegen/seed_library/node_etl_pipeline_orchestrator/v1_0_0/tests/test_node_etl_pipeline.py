"""Tests of node_etl_pipeline_orchestrator."""

import asyncio

import pytest

from ..models.model_etl_pipeline_input import ModelEtlPipelineInput
from ..node import NodeEtlPipelineOrchestrator, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_stages():
    steps = {
        "extract": [],
        "clean": ["extract"],
        "enrich": ["extract"],
        "load": ["clean", "enrich"],
    }
    out = run(NodeEtlPipelineOrchestrator(), ModelEtlPipelineInput(steps=steps))
    assert out.stages == [["extract"], ["clean", "enrich"], ["load"]]
    assert out.actions[-1] == {"action": "run_node", "step": "load", "stage": 2}


def test_cycle():
    with pytest.raises(OnexError):
        run(NodeEtlPipelineOrchestrator(), ModelEtlPipelineInput(steps={"a": ["b"], "b": ["a"]}))
