"""OpenAICompatibleModel through the real openai SDK, with /v1/chat/completions faked over HTTP."""

from __future__ import annotations

import httpx
import pytest
import respx

from nodegen.errors import ModelCallError
from nodegen.providers.openai_provider import NO_KEY, OpenAICompatibleModel
from tests.providers.provider_fakes import OPENAI_URL, chat_completion, openai_spec, sent_json

CHAT = f"{OPENAI_URL}/chat/completions"


def _model(api_key: str | None = None, **spec_overrides: object) -> OpenAICompatibleModel:
    return OpenAICompatibleModel("qwen-vllm", openai_spec(**spec_overrides), api_key)


def _call(model: OpenAICompatibleModel):
    return model.complete(system="RULES", prompt="the request", max_tokens=128, temperature=0.2)


def test_success_usage_and_compute_cost(http: respx.MockRouter) -> None:
    route = http.post(CHAT).mock(
        return_value=httpx.Response(
            200, json=chat_completion("answer", prompt_tokens=300, completion_tokens=50)
        )
    )
    completion = _call(_model())

    assert completion.text == "answer"
    assert completion.provider == "openai_compatible" and completion.stop_reason == "stop"
    usage = completion.usage
    assert (usage.tokens_input, usage.tokens_output) == (300, 50)
    assert usage.compute_seconds > 0
    assert usage.latency_ms == pytest.approx(usage.compute_seconds * 1000)
    # 0.5 $/compute-second plus 0.2 / 0.6 $ per million tokens
    expected = usage.compute_seconds * 0.5 + (300 * 0.2 + 50 * 0.6) / 1_000_000
    assert usage.cost_usd == pytest.approx(expected)

    body = sent_json(route)
    assert body["model"] == "Qwen/Qwen2.5-Coder-7B-Instruct"
    assert body["messages"] == [
        {"role": "system", "content": "RULES"},
        {"role": "user", "content": "the request"},
    ]
    assert body["max_tokens"] == 128 and body["temperature"] == 0.2
    # A local server without a key still gets a placeholder bearer, never a real secret.
    assert route.calls.last.request.headers["authorization"] == f"Bearer {NO_KEY}"


def test_api_key_is_sent_when_given(http: respx.MockRouter) -> None:
    route = http.post(CHAT).mock(return_value=httpx.Response(200, json=chat_completion("x")))
    _call(_model(api_key="sk-local-123"))
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-local-123"


def test_429_with_retry_after_then_success(http: respx.MockRouter) -> None:
    route = http.post(CHAT).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after-ms": "1"}, json={"error": {"message": "busy"}}),
            httpx.Response(200, json=chat_completion("ok")),
        ]
    )
    assert _call(_model(max_retries=1)).text == "ok"
    assert route.call_count == 2


def test_429_after_retries(http: respx.MockRouter) -> None:
    route = http.post(CHAT).mock(
        return_value=httpx.Response(
            429, headers={"retry-after-ms": "1"}, json={"error": {"message": "queue full"}}
        )
    )
    with pytest.raises(ModelCallError, match="HTTP 429") as info:
        _call(_model(max_retries=2))
    assert route.call_count == 3 and info.value.retryable


def test_500_after_retries(http: respx.MockRouter) -> None:
    route = http.post(CHAT).mock(
        return_value=httpx.Response(
            500, headers={"retry-after-ms": "1"}, json={"error": {"message": "CUDA out of memory"}}
        )
    )
    with pytest.raises(ModelCallError, match="HTTP 500") as info:
        _call(_model(max_retries=1))
    assert route.call_count == 2 and info.value.retryable


def test_timeout_after_retries(http: respx.MockRouter) -> None:
    route = http.post(CHAT).mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(ModelCallError, match="timed out") as info:
        _call(_model(max_retries=1))
    assert route.call_count == 2 and info.value.retryable


def test_connection_refused(http: respx.MockRouter) -> None:
    http.post(CHAT).mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(ModelCallError, match="cannot reach"):
        _call(_model(max_retries=0))


def test_refusal_field(http: respx.MockRouter) -> None:
    http.post(CHAT).mock(
        return_value=httpx.Response(200, json=chat_completion(None, refusal="I can't help with that"))
    )
    with pytest.raises(ModelCallError, match="refused") as info:
        _call(_model())
    assert not info.value.retryable
    assert info.value.usage.tokens_input == 300


def test_content_filter(http: respx.MockRouter) -> None:
    http.post(CHAT).mock(
        return_value=httpx.Response(200, json=chat_completion("partial", finish_reason="content_filter"))
    )
    with pytest.raises(ModelCallError, match="content filter") as info:
        _call(_model())
    assert not info.value.retryable


def test_missing_base_url_is_a_clear_error() -> None:
    with pytest.raises(ModelCallError, match="base_url"):
        OpenAICompatibleModel("x", openai_spec(base_url=None))
