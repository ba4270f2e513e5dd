"""The eight pipeline stages, in order. Names are used as asset keys, metric rows and config keys."""

from enum import StrEnum


class Stage(StrEnum):
    PRD_ANALYSIS = "prd_analysis"
    INTELLIGENCE = "intelligence"
    CONTRACT = "contract"
    BUSINESS_LOGIC = "business_logic"
    GENERATED_CODE = "generated_code"
    VALIDATION = "validation_report"
    REFINEMENT = "refined_code"
    WRITING = "written_node"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)

# Stages whose work a language model can do; the others are deterministic machinery
# (retrieval, gates, file writing) that still records a metric row with its own "model" name.
LLM_STAGES: frozenset[Stage] = frozenset(
    {Stage.PRD_ANALYSIS, Stage.CONTRACT, Stage.BUSINESS_LOGIC, Stage.REFINEMENT}
)
