"""Anthropic Messages API through the official SDK.

The system prompt (stage instructions + output schema + ONEX rules) is static per stage, so it is
sent as one text block marked `cache_control: ephemeral`: repeated calls of the same stage read it
from the prompt cache at a tenth of the input price. Retries and timeouts are the SDK's own
(`max_retries`, `timeout` from the catalogue); what still fails afterwards becomes ModelCallError.
The API key lives only inside the SDK client and is never logged or put in an error message.
The installed SDK (anthropic 2.14, API version 2026-10-21) has no sampling parameters on
`messages.create`, so `temperature` is accepted for the LanguageModel protocol and not sent.
"""

from __future__ import annotations

import time
from typing import Any

import anthropic

from nodegen.config import ModelSpec
from nodegen.errors import ModelCallError
from nodegen.providers.base import Completion, Usage

PROVIDER = "anthropic"


class AnthropicModel:
    """A `LanguageModel` over the Anthropic Messages API."""

    provider = PROVIDER

    def __init__(
        self, name: str, spec: ModelSpec, api_key: str, *, base_url: str | None = None
    ) -> None:
        if not api_key:
            raise ModelCallError(f"model {name!r}: empty Anthropic API key", retryable=False)
        self.name = name
        self.spec = spec
        self.model_id = spec.model_id or name
        self._client = anthropic.Anthropic(
            api_key=api_key,
            base_url=base_url or spec.base_url,
            max_retries=spec.max_retries,
            timeout=spec.timeout_s,
        )

    def __repr__(self) -> str:  # never show the client (it holds the key)
        return f"AnthropicModel(name={self.name!r}, model_id={self.model_id!r})"

    def complete(
        self, *, system: str, prompt: str, max_tokens: int, temperature: float
    ) -> Completion:
        started = time.perf_counter()
        try:
            message = self._client.messages.create(
                model=self.model_id,
                max_tokens=max_tokens,
                system=[{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": prompt}],
            )
        except anthropic.APITimeoutError as exc:
            raise ModelCallError(
                f"{self.name}: timed out after {self.spec.timeout_s}s "
                f"and {self.spec.max_retries} retries",
                retryable=True,
            ) from exc
        except anthropic.APIConnectionError as exc:
            raise ModelCallError(f"{self.name}: connection failed: {exc}", retryable=True) from exc
        except anthropic.APIStatusError as exc:
            raise ModelCallError(
                f"{self.name}: HTTP {exc.status_code} {_error_type(exc)}",
                retryable=exc.status_code in (408, 409, 429) or exc.status_code >= 500,
            ) from exc
        except anthropic.APIError as exc:
            raise ModelCallError(f"{self.name}: API error: {exc}", retryable=True) from exc
        latency_ms = (time.perf_counter() - started) * 1000.0

        usage = _usage(message.usage, self.spec, latency_ms)
        text = "".join(
            block.text for block in message.content if getattr(block, "type", None) == "text"
        )
        if message.stop_reason == "refusal":
            raise ModelCallError(f"{self.name}: the model refused the request", retryable=False, usage=usage)
        if not text.strip():
            raise ModelCallError(f"{self.name}: empty response", retryable=False, usage=usage)
        return Completion(
            text=text,
            model=self.name,
            provider=PROVIDER,
            stop_reason=message.stop_reason,
            usage=usage,
        )


def _usage(raw: Any, spec: ModelSpec, latency_ms: float) -> Usage:
    tokens_input = int(raw.input_tokens or 0)
    tokens_output = int(raw.output_tokens or 0)
    cache_write = int(raw.cache_creation_input_tokens or 0)
    cache_read = int(raw.cache_read_input_tokens or 0)
    return Usage(
        tokens_input=tokens_input,
        tokens_output=tokens_output,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        latency_ms=latency_ms,
        cost_usd=spec.cost_usd(tokens_input, tokens_output, cache_read, cache_write),
    )


def _error_type(exc: anthropic.APIStatusError) -> str:
    """The API's error type and message from the body, e.g. 'rate_limit_error: ...'."""
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    kind = error.get("type", "")
    message = str(error.get("message", ""))[:200]
    return f"{kind}: {message}".strip(": ") or type(exc).__name__
