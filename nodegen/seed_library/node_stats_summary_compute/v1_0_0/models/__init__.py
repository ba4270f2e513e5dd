from .model_stats_summary_input import ModelStatsSummaryInput
from .model_stats_summary_output import ModelStatsSummaryOutput

__all__ = ["ModelStatsSummaryInput", "ModelStatsSummaryOutput"]
