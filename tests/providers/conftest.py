"""Fixtures for the provider tests: real SDKs over respx-faked HTTP, and a tiny local causal LM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

import nodegen.providers.respx_bridge  # noqa: F401  (registers respx's "httpx2" mocker)
from tests.providers.provider_fakes import CHAT_TEMPLATE, build_tiny_lm


@pytest.fixture
def http() -> Iterator[respx.MockRouter]:
    """A respx router that sees every request of the SDKs' httpx2 clients; nothing reaches out."""
    with respx.mock(using="httpx2", assert_all_called=False) as router:
        yield router


@pytest.fixture(scope="session")
def tiny_lm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"))


@pytest.fixture(scope="session")
def tiny_chat_lm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-chat-lm"), chat_template=CHAT_TEMPLATE)
