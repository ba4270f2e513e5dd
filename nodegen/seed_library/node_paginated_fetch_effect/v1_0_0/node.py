"""Effect: collect every page of a cursor-paginated API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .models.model_paginated_fetch_input import ModelPaginatedFetchInput
from .models.model_paginated_fetch_output import ModelPaginatedFetchOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodePaginatedFetchEffect:
    """Effect: collect every page of a cursor-paginated API."""

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

    async def process(self, input_data: ModelPaginatedFetchInput) -> ModelPaginatedFetchOutput:
        items: list[Any] = []
        cursor: str | None = None
        for page in range(1, input_data.max_pages + 1):
            params: dict[str, Any] = {"limit": input_data.page_size}
            if cursor:
                params["cursor"] = cursor
            response = await self._send("GET", input_data.url, params=params)
            if response.status_code != 200:
                raise OnexError(
                    "ONEX_CORE_004_UPSTREAM_ERROR", f"page {page}: {response.status_code}"
                )
            data = response.json()
            items.extend(data.get("items", []))
            cursor = data.get("next_cursor")
            if not cursor:
                return ModelPaginatedFetchOutput(items=items, pages=page, complete=True)
        return ModelPaginatedFetchOutput(items=items, pages=input_data.max_pages, complete=False)

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
