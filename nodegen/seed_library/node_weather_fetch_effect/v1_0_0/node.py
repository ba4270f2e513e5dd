"""Effect: current weather for a city from a REST API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .models.model_weather_fetch_input import ModelWeatherFetchInput
from .models.model_weather_fetch_output import ModelWeatherFetchOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeWeatherFetchEffect:
    """Effect: current weather for a city from a REST API."""

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

    async def process(self, input_data: ModelWeatherFetchInput) -> ModelWeatherFetchOutput:
        response = await self._send(
            "GET",
            f"{input_data.base_url}/current",
            params={"q": input_data.city, "units": "metric"},
            headers={"X-Api-Key": input_data.api_key},
        )
        if response.status_code == 404:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"unknown city {input_data.city!r}")
        if response.status_code != 200:
            raise OnexError("ONEX_CORE_004_UPSTREAM_ERROR", f"weather API {response.status_code}")
        data: dict[str, Any] = response.json()
        try:
            return ModelWeatherFetchOutput(
                city=data.get("name", input_data.city),
                temperature_c=float(data["main"]["temp"]),
                humidity_pct=int(data["main"]["humidity"]),
                description=str(data["weather"][0]["description"]),
            )
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise OnexError("ONEX_CORE_005_BAD_RESPONSE", f"unexpected payload: {exc}") from exc

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
