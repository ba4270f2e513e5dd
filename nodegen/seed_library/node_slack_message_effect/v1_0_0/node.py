"""Effect: post a chat message via a Slack-compatible API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .models.model_slack_message_input import ModelSlackMessageInput
from .models.model_slack_message_output import ModelSlackMessageOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeSlackMessageEffect:
    """Effect: post a chat message via a Slack-compatible API."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        max_attempts: int = 3,
        backoff_s: float = 0.2,
        timeout_s: float = 10.0,
    ) -> None:
        if max_attempts < 1:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "max_attempts must be >= 1")
        self._client = client
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._timeout_s = timeout_s

    async def process(self, input_data: ModelSlackMessageInput) -> ModelSlackMessageOutput:
        response = await self._send(
            "POST",
            f"{input_data.api_url}/chat.postMessage",
            json={"channel": input_data.channel, "text": input_data.text},
            headers={"Authorization": f"Bearer {input_data.token}"},
        )
        if response.status_code != 200:
            raise OnexError("ONEX_CORE_004_UPSTREAM_ERROR", f"Slack HTTP {response.status_code}")
        data = response.json()
        if not data.get("ok"):
            raise OnexError("ONEX_CORE_004_UPSTREAM_ERROR", f"Slack error: {data.get('error')}")
        return ModelSlackMessageOutput(ok=True, ts=str(data.get("ts", "")))

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One HTTP call with timeout, retries on transport errors and 5xx, linear backoff."""
        client = self._client or httpx.AsyncClient(timeout=self._timeout_s)
        try:
            for attempt in range(1, self._max_attempts + 1):
                try:
                    response = await client.request(method, url, timeout=self._timeout_s, **kwargs)
                except httpx.TransportError as exc:
                    if attempt == self._max_attempts:
                        raise OnexError("ONEX_CORE_002_EXTERNAL_UNAVAILABLE", str(exc)) from exc
                else:
                    if response.status_code < 500 or attempt == self._max_attempts:
                        return response
                await asyncio.sleep(self._backoff_s * attempt)
            raise OnexError("ONEX_CORE_002_EXTERNAL_UNAVAILABLE", "no attempt was made")
        finally:
            if self._client is None:
                await client.aclose()
