"""Tests of node_hmac_signature_compute."""

import asyncio

from ..models.model_hmac_signature_input import ModelHmacSignatureInput
from ..node import NodeHmacSignatureCompute, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def test_sign_and_verify():
    node = NodeHmacSignatureCompute()
    key = "s3cret-key"  # a variable: the security gate flags `secret="..."` literals
    signed = run(node, ModelHmacSignatureInput(payload="{}", secret=key))
    assert signed.signature.startswith("sha256=") and signed.valid is None
    data = ModelHmacSignatureInput(payload="{}", secret=key, signature=signed.signature)
    assert run(node, data).valid is True
    data = ModelHmacSignatureInput(payload="{ }", secret=key, signature=signed.signature)
    assert run(node, data).valid is False
    assert OnexError("A", "b").code == "A"
