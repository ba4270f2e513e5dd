"""Reducer: token-bucket rate limiting as a pure state transition."""

from __future__ import annotations

from .models.model_token_bucket_input import ModelTokenBucketInput
from .models.model_token_bucket_output import ModelTokenBucketOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeTokenBucketReducer:
    """Reducer: token-bucket rate limiting as a pure state transition."""

    async def process(self, input_data: ModelTokenBucketInput) -> ModelTokenBucketOutput:
        tokens = min(input_data.tokens, input_data.capacity)
        last = input_data.last_ts
        decisions: list[bool] = []
        for ts in input_data.request_timestamps:
            if ts < last:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "timestamps must not go back")
            tokens = min(input_data.capacity, tokens + (ts - last) * input_data.refill_per_s)
            last = ts
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            decisions.append(allowed)
        intents = ["emit_throttle_metric"] if not all(decisions) else []
        return ModelTokenBucketOutput(
            tokens=tokens, last_ts=last, decisions=decisions, intents=intents
        )
