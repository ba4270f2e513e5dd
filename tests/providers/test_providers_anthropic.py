"""AnthropicModel through the real anthropic SDK, with the Messages API faked at the HTTP layer."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from nodegen.errors import ModelCallError
from nodegen.providers.anthropic_provider import AnthropicModel
from tests.providers.provider_fakes import (
    ANTHROPIC_URL,
    SECRET,
    anthropic_error,
    anthropic_message,
    anthropic_spec,
    sent_json,
)

MESSAGES = f"{ANTHROPIC_URL}/v1/messages"


def _model(**spec_overrides: object) -> AnthropicModel:
    return AnthropicModel("claude-haiku-4-5", anthropic_spec(**spec_overrides), SECRET)


def _call(model: AnthropicModel):
    return model.complete(system="STATIC RULES", prompt="the request", max_tokens=256, temperature=0.0)


def test_success_maps_usage_cache_tokens_and_cost(http: respx.MockRouter) -> None:
    route = http.post(MESSAGES).mock(
        return_value=httpx.Response(
            200,
            json=anthropic_message(
                "hello", input_tokens=120, output_tokens=40, cache_write=900, cache_read=3000
            ),
        )
    )
    completion = _call(_model())

    assert completion.text == "hello"
    assert completion.provider == "anthropic" and completion.model == "claude-haiku-4-5"
    assert completion.stop_reason == "end_turn"
    usage = completion.usage
    assert (usage.tokens_input, usage.tokens_output) == (120, 40)
    assert (usage.cache_write_tokens, usage.cache_read_tokens) == (900, 3000)
    # haiku prices: 1.0 in, 5.0 out, 1.25 cache write, 0.1 cache read per million tokens
    expected = (120 * 1.0 + 40 * 5.0 + 900 * 1.25 + 3000 * 0.1) / 1_000_000
    assert usage.cost_usd == pytest.approx(expected)
    assert usage.latency_ms > 0

    body = sent_json(route)
    assert body["model"] == "claude-haiku-4-5"
    assert body["max_tokens"] == 256 and "temperature" not in body
    assert body["system"] == [
        {"type": "text", "text": "STATIC RULES", "cache_control": {"type": "ephemeral"}}
    ]
    assert body["messages"] == [{"role": "user", "content": "the request"}]


def test_429_is_retried_by_the_sdk_then_succeeds(http: respx.MockRouter) -> None:
    route = http.post(MESSAGES).mock(
        side_effect=[
            anthropic_error(429, "rate_limit_error", "slow down", **{"retry-after-ms": "1"}),
            httpx.Response(200, json=anthropic_message("ok")),
        ]
    )
    assert _call(_model(max_retries=2)).text == "ok"
    assert route.call_count == 2


def test_429_after_retries_is_a_retryable_model_call_error(http: respx.MockRouter) -> None:
    route = http.post(MESSAGES).mock(
        return_value=anthropic_error(429, "rate_limit_error", "slow down", **{"retry-after-ms": "1"})
    )
    with pytest.raises(ModelCallError) as info:
        _call(_model(max_retries=2))
    assert route.call_count == 3
    assert info.value.retryable
    assert "429" in str(info.value) and "rate_limit_error" in str(info.value)


def test_500_after_retries(http: respx.MockRouter) -> None:
    route = http.post(MESSAGES).mock(
        return_value=anthropic_error(500, "api_error", "internal", **{"retry-after-ms": "1"})
    )
    with pytest.raises(ModelCallError, match="HTTP 500") as info:
        _call(_model(max_retries=1))
    assert route.call_count == 2
    assert info.value.retryable


def test_timeout_after_retries(http: respx.MockRouter) -> None:
    route = http.post(MESSAGES).mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(ModelCallError, match="timed out") as info:
        _call(_model(max_retries=1))
    assert route.call_count == 2
    assert info.value.retryable


def test_bad_request_is_not_retryable(http: respx.MockRouter) -> None:
    route = http.post(MESSAGES).mock(
        return_value=anthropic_error(400, "invalid_request_error", "max_tokens too large")
    )
    with pytest.raises(ModelCallError, match="max_tokens too large") as info:
        _call(_model(max_retries=2))
    assert route.call_count == 1
    assert not info.value.retryable


def test_refusal_is_not_retryable_and_keeps_usage(http: respx.MockRouter) -> None:
    http.post(MESSAGES).mock(
        return_value=httpx.Response(
            200, json=anthropic_message("", stop_reason="refusal", output_tokens=3)
        )
    )
    with pytest.raises(ModelCallError, match="refused") as info:
        _call(_model())
    assert not info.value.retryable
    assert info.value.usage.tokens_output == 3
    assert info.value.usage.cost_usd > 0


def test_empty_content_is_not_retryable(http: respx.MockRouter) -> None:
    http.post(MESSAGES).mock(return_value=httpx.Response(200, json=anthropic_message(None)))
    with pytest.raises(ModelCallError, match="empty") as info:
        _call(_model())
    assert not info.value.retryable


def test_key_never_appears_in_logs_repr_or_errors(
    http: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    route = http.post(MESSAGES).mock(
        return_value=anthropic_error(401, "authentication_error", "invalid x-api-key")
    )
    model = _model(max_retries=0)
    with caplog.at_level(logging.DEBUG), pytest.raises(ModelCallError) as info:
        _call(model)
    assert SECRET in route.calls.last.request.headers.get("authorization", "") + str(
        route.calls.last.request.headers.get("x-api-key", "")
    )
    assert SECRET not in caplog.text
    assert SECRET not in str(info.value) and SECRET not in repr(model)
    assert not info.value.retryable


def test_empty_key_is_rejected() -> None:
    with pytest.raises(ModelCallError, match="empty Anthropic API key"):
        AnthropicModel("claude-haiku-4-5", anthropic_spec(), "")
