"""Effect: currency conversion with live rates from an HTTP API."""

from __future__ import annotations

import asyncio
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from .models.model_currency_convert_input import ModelCurrencyConvertInput
from .models.model_currency_convert_output import ModelCurrencyConvertOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeCurrencyConvertEffect:
    """Effect: currency conversion with live rates from an HTTP API."""

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

    async def process(self, input_data: ModelCurrencyConvertInput) -> ModelCurrencyConvertOutput:
        if input_data.from_currency == input_data.to_currency:
            return ModelCurrencyConvertOutput(rate=Decimal(1), converted=input_data.amount)
        response = await self._send(
            "GET", input_data.rates_url, params={"base": input_data.from_currency}
        )
        if response.status_code != 200:
            raise OnexError("ONEX_CORE_004_UPSTREAM_ERROR", f"rates API {response.status_code}")
        rates = response.json().get("rates", {})
        if input_data.to_currency not in rates:
            raise OnexError(
                "ONEX_CORE_001_INVALID_PARAMETER", f"no rate for {input_data.to_currency}"
            )
        rate = Decimal(str(rates[input_data.to_currency]))
        converted = (input_data.amount * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return ModelCurrencyConvertOutput(rate=rate, converted=converted)

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
