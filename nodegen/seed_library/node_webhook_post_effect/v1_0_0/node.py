"""Effect: deliver a JSON event to a webhook with an idempotency key."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import httpx

from .models.model_webhook_post_input import ModelWebhookPostInput
from .models.model_webhook_post_output import ModelWebhookPostOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeWebhookPostEffect:
    """Effect: deliver a JSON event to a webhook with an idempotency key."""

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

    async def process(self, input_data: ModelWebhookPostInput) -> ModelWebhookPostOutput:
        body = json.dumps(input_data.event, sort_keys=True, separators=(",", ":"))
        key = input_data.idempotency_key or hashlib.sha256(body.encode()).hexdigest()[:32]
        response = await self._send(
            "POST",
            input_data.url,
            content=body,
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        if 400 <= response.status_code < 500 and response.status_code != 409:
            raise OnexError(
                "ONEX_CORE_001_INVALID_PARAMETER", f"webhook refused: {response.status_code}"
            )
        return ModelWebhookPostOutput(
            delivered=response.status_code < 300 or response.status_code == 409,
            status_code=response.status_code,
            idempotency_key=key,
        )

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
