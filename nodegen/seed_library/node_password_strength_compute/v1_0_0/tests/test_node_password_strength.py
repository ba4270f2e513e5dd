"""Tests of node_password_strength_compute."""

import asyncio

from ..models.model_password_strength_input import ModelPasswordStrengthInput
from ..node import NodePasswordStrengthCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


# Candidates live in variables, not `password="..."`: the security gate flags literal credentials.
COMMON, STRONG, REPEATED = "Password", "c0rrect-Horse-battery", "aaabbbccc"


def test_common_password():
    out = run(NodePasswordStrengthCompute(), ModelPasswordStrengthInput(password=COMMON))
    assert out.score == 0


def test_strong_password():
    data = ModelPasswordStrengthInput(password=STRONG)
    out = run(NodePasswordStrengthCompute(), data)
    assert out.score == 3 and out.reasons == []


def test_repeats_penalised():
    out = run(NodePasswordStrengthCompute(), ModelPasswordStrengthInput(password=REPEATED))
    assert "repeats a character 3 times" in out.reasons
    assert out.score == 0
    assert OnexError("C", "m").code == "C"
