"""Pure compute: descriptive statistics of a sample."""

from __future__ import annotations

import math
import statistics

from .models.model_stats_summary_input import ModelStatsSummaryInput
from .models.model_stats_summary_output import ModelStatsSummaryOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def percentile(sorted_values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = pct / 100 * (len(sorted_values) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    weight = rank - low
    return sorted_values[low] * (1 - weight) + sorted_values[high] * weight


class NodeStatsSummaryCompute:
    """Pure compute: descriptive statistics of a sample."""

    async def process(self, input_data: ModelStatsSummaryInput) -> ModelStatsSummaryOutput:
        values = sorted(input_data.values)
        if any(math.isnan(v) or math.isinf(v) for v in values):
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "values must be finite")
        return ModelStatsSummaryOutput(
            count=len(values),
            mean=statistics.fmean(values),
            median=statistics.median(values),
            stdev=statistics.stdev(values) if len(values) > 1 else 0.0,
            minimum=values[0],
            maximum=values[-1],
            p90=percentile(values, 90),
            p99=percentile(values, 99),
        )
