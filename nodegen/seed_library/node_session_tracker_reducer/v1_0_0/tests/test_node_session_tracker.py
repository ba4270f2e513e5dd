"""Tests of node_session_tracker_reducer."""

import asyncio

import pytest

from ..models.model_session_tracker_input import ModelSessionTrackerInput
from ..node import NodeSessionTrackerReducer, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_sessions_split_on_gap():
    events = [{"user": "u", "ts": 0}, {"user": "u", "ts": 60}, {"user": "u", "ts": 4000}]
    out = run(NodeSessionTrackerReducer(), ModelSessionTrackerInput(events=events))
    assert out.sessions["u"] == [
        {"start": 0, "end": 60, "views": 2},
        {"start": 4000, "end": 4000, "views": 1},
    ]
    assert out.intents == [{"type": "session_closed", "user": "u", "views": 2}]


def test_bad_event():
    with pytest.raises(OnexError):
        run(NodeSessionTrackerReducer(), ModelSessionTrackerInput(events=[{"ts": 1}]))
