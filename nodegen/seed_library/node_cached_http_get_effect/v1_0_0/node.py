"""Effect: HTTP GET with an in-memory TTL cache."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from .models.model_cached_http_get_input import ModelCachedHttpGetInput
from .models.model_cached_http_get_output import ModelCachedHttpGetOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeCachedHttpGetEffect:
    """Effect: HTTP GET with an in-memory TTL cache."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        ttl_s: float = 60.0,
        max_entries: int = 1024,
        clock: Any = time.monotonic,
        max_attempts: int = 3,
        backoff_s: float = 0.2,
        timeout_s: float = 10.0,
    ) -> None:
        if ttl_s <= 0 or max_entries < 1:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "ttl_s and max_entries must be > 0")
        self._client = client
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._timeout_s = timeout_s

    async def process(self, input_data: ModelCachedHttpGetInput) -> ModelCachedHttpGetOutput:
        now = self._clock()
        entry = self._cache.get(input_data.url)
        if entry is not None and now - entry[0] < self._ttl_s:
            return ModelCachedHttpGetOutput(body=entry[1], cache_hit=True)
        response = await self._send("GET", input_data.url)
        if response.status_code != 200:
            raise OnexError("ONEX_CORE_004_UPSTREAM_ERROR", f"status {response.status_code}")
        body = response.json()
        if len(self._cache) >= self._max_entries:
            oldest = min(self._cache, key=lambda k: self._cache[k][0])
            del self._cache[oldest]
        self._cache[input_data.url] = (now, body)
        return ModelCachedHttpGetOutput(body=body, cache_hit=False)

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
