"""Pure compute: count timestamps per hour or day."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from .models.model_time_buckets_input import ModelTimeBucketsInput
from .models.model_time_buckets_output import ModelTimeBucketsOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeTimeBucketsCompute:
    """Pure compute: count timestamps per hour or day."""

    async def process(self, input_data: ModelTimeBucketsInput) -> ModelTimeBucketsOutput:
        counts: Counter[str] = Counter()
        for raw in input_data.timestamps:
            try:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError as exc:
                raise OnexError(
                    "ONEX_CORE_001_INVALID_PARAMETER", f"bad timestamp {raw!r}"
                ) from exc
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            moment = moment.astimezone(UTC)
            fmt = "%Y-%m-%dT%H:00Z" if input_data.granularity == "hour" else "%Y-%m-%d"
            counts[moment.strftime(fmt)] += 1
        return ModelTimeBucketsOutput(buckets=dict(sorted(counts.items())))
