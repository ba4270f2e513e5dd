"""OpenAI-compatible Chat Completions (vLLM, Ollama, llama.cpp server) through the official SDK.

Self-hosted servers are billed by compute time: cost = latency seconds x cost_per_compute_second,
plus the token prices when the catalogue gives any (for a hosted OpenAI-compatible API).
A refusal (`message.refusal`) or `finish_reason == "content_filter"` is a non-retryable failure.
"""

from __future__ import annotations

import time

import openai

from nodegen.config import ModelSpec
from nodegen.errors import ModelCallError
from nodegen.providers.base import Completion, Usage

PROVIDER = "openai_compatible"
# Local servers ignore the key, but the SDK insists on one.
NO_KEY = "not-needed"


class OpenAICompatibleModel:
    """A `LanguageModel` over an OpenAI-compatible `/v1/chat/completions` endpoint."""

    provider = PROVIDER

    def __init__(self, name: str, spec: ModelSpec, api_key: str | None = None) -> None:
        if not spec.base_url:
            raise ModelCallError(
                f"model {name!r}: openai_compatible needs base_url in models.yaml", retryable=False
            )
        self.name = name
        self.spec = spec
        self.model_id = spec.model_id or name
        self._client = openai.OpenAI(
            api_key=api_key or NO_KEY,
            base_url=spec.base_url,
            max_retries=spec.max_retries,
            timeout=spec.timeout_s,
        )

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel(name={self.name!r}, base_url={self.spec.base_url!r})"

    def complete(
        self, *, system: str, prompt: str, max_tokens: int, temperature: float
    ) -> Completion:
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self.model_id,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": prompt},
                ],
                max_tokens=max_tokens,
                temperature=temperature,
            )
        except openai.APITimeoutError as exc:
            raise ModelCallError(
                f"{self.name}: timed out after {self.spec.timeout_s}s "
                f"and {self.spec.max_retries} retries",
                retryable=True,
            ) from exc
        except openai.APIConnectionError as exc:
            raise ModelCallError(
                f"{self.name}: cannot reach {self.spec.base_url}: {exc}", retryable=True
            ) from exc
        except openai.APIStatusError as exc:
            raise ModelCallError(
                f"{self.name}: HTTP {exc.status_code} {str(exc.message)[:200]}",
                retryable=exc.status_code in (408, 409, 429) or exc.status_code >= 500,
            ) from exc
        except openai.OpenAIError as exc:
            raise ModelCallError(f"{self.name}: API error: {exc}", retryable=True) from exc
        seconds = time.perf_counter() - started

        tokens_input = response.usage.prompt_tokens if response.usage else 0
        tokens_output = response.usage.completion_tokens if response.usage else 0
        usage = Usage(
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            latency_ms=seconds * 1000.0,
            compute_seconds=seconds,
            cost_usd=self.spec.cost_usd(tokens_input, tokens_output, compute_seconds=seconds),
        )
        if not response.choices:
            raise ModelCallError(f"{self.name}: response has no choices", retryable=True, usage=usage)
        choice = response.choices[0]
        if choice.message.refusal:
            raise ModelCallError(
                f"{self.name}: the model refused: {choice.message.refusal[:200]}",
                retryable=False,
                usage=usage,
            )
        if choice.finish_reason == "content_filter":
            raise ModelCallError(
                f"{self.name}: output stopped by the content filter", retryable=False, usage=usage
            )
        text = choice.message.content or ""
        if not text.strip():
            raise ModelCallError(f"{self.name}: empty response", retryable=False, usage=usage)
        return Completion(
            text=text,
            model=self.name,
            provider=PROVIDER,
            stop_reason=choice.finish_reason,
            usage=usage,
        )
