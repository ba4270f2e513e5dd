"""Tests of node_saga_workflow_orchestrator."""

import asyncio

import pytest

from ..models.model_saga_workflow_input import ModelSagaWorkflowInput
from ..node import NodeSagaWorkflowOrchestrator, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def build(log, fail_at=None):
    def handler(name):
        async def run_step(ctx):
            if name == fail_at:
                raise ValueError("nope")
            log.append(name)
            return {name: True}

        return run_step

    def comp(name):
        async def undo(ctx):
            log.append(f"undo_{name}")

        return undo

    steps = ["a", "b", "c"]
    return NodeSagaWorkflowOrchestrator({s: handler(s) for s in steps}, {s: comp(s) for s in steps})


def test_success():
    log = []
    out = run(build(log), ModelSagaWorkflowInput(steps=["a", "b", "c"]))
    assert out.succeeded and out.context == {"a": True, "b": True, "c": True}


def test_compensates_in_reverse():
    log = []
    out = run(build(log, fail_at="c"), ModelSagaWorkflowInput(steps=["a", "b", "c"]))
    assert not out.succeeded and out.error == "c: nope"
    assert log == ["a", "b", "undo_b", "undo_a"] and out.compensated == ["b", "a"]


def test_unknown_step():
    with pytest.raises(OnexError):
        run(build([]), ModelSagaWorkflowInput(steps=["zzz"]))
