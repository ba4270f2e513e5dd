"""The provider interface the pipeline talks to.

Two levels:
- `LanguageModel`: a text-in/text-out model (Anthropic, OpenAI-compatible, transformers).
- `StageModel`: something that can do the work of the LLM-capable stages and return typed outputs.
  `local-rules` implements it directly; `LLMStageModel` implements it over any `LanguageModel` by
  rendering the stage prompt templates and parsing the reply strictly.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from nodegen.artifacts import (
    BusinessLogic,
    IntelligenceResponse,
    NodeContract,
    NodeSource,
    PrdAnalysis,
    ValidationReport,
)
from nodegen.request import NodeRequest

T = TypeVar("T")


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tokens_input: int = 0
    tokens_output: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    compute_seconds: float = 0.0


class Completion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    model: str
    provider: str
    stop_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)


class StageOutcome(BaseModel, Generic[T]):
    """A stage's typed output and what producing it cost."""

    output: T
    model: str
    provider: str
    usage: Usage = Field(default_factory=Usage)
    patterns_used: list[str] = Field(default_factory=list)


class LanguageModel(Protocol):
    name: str
    provider: str

    def complete(self, *, system: str, prompt: str, max_tokens: int, temperature: float) -> Completion:
        """One completion. Raises ModelCallError on transport errors, timeouts and refusals."""
        ...


class StageModel(Protocol):
    name: str
    provider: str

    def analyse_prd(
        self, request: NodeRequest, intelligence: IntelligenceResponse | None
    ) -> StageOutcome[PrdAnalysis]: ...

    def build_contract(
        self, request: NodeRequest, prd: PrdAnalysis, intelligence: IntelligenceResponse
    ) -> StageOutcome[NodeContract]: ...

    def write_business_logic(
        self,
        request: NodeRequest,
        prd: PrdAnalysis,
        contract: NodeContract,
        intelligence: IntelligenceResponse,
    ) -> StageOutcome[BusinessLogic]: ...

    def refine(
        self,
        request: NodeRequest,
        prd: PrdAnalysis,
        contract: NodeContract,
        source: NodeSource,
        report: ValidationReport,
    ) -> StageOutcome[NodeSource]: ...
