"""`local-rules`: the deterministic, offline StageModel (no network, no weights, zero cost)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from nodegen.artifacts import (
    BusinessLogic,
    IntelligenceResponse,
    NodeContract,
    NodeSource,
    PrdAnalysis,
    ValidationReport,
)
from nodegen.offline import assemble, parser, refine
from nodegen.providers.base import StageOutcome, Usage
from nodegen.request import NodeRequest
from nodegen.tokens import count_tokens

T = TypeVar("T", bound=BaseModel)


class LocalRulesModel:
    """Implements nodegen.providers.base.StageModel with the offline recipe catalogue."""

    name = "local-rules"
    provider = "local_rules"

    def _outcome(
        self, read: str, produce: Callable[[], tuple[T, list[str]]]
    ) -> StageOutcome[T]:
        start = time.perf_counter()
        output, patterns = produce()
        latency_ms = (time.perf_counter() - start) * 1000
        usage = Usage(
            tokens_input=count_tokens(read),
            tokens_output=count_tokens(output.model_dump_json()),
            latency_ms=latency_ms,
            cost_usd=0.0,
        )
        return StageOutcome[T](
            output=output,
            model=self.name,
            provider=self.provider,
            usage=usage,
            patterns_used=patterns,
        )

    def analyse_prd(
        self, request: NodeRequest, intelligence: IntelligenceResponse | None
    ) -> StageOutcome[PrdAnalysis]:
        read = request.prompt + (intelligence.model_dump_json() if intelligence else "")
        return self._outcome(read, lambda: parser.analyse(request, intelligence))

    def build_contract(
        self, request: NodeRequest, prd: PrdAnalysis, intelligence: IntelligenceResponse
    ) -> StageOutcome[NodeContract]:
        return self._outcome(prd.model_dump_json(), lambda: (assemble.build_contract(prd), []))

    def write_business_logic(
        self,
        request: NodeRequest,
        prd: PrdAnalysis,
        contract: NodeContract,
        intelligence: IntelligenceResponse,
    ) -> StageOutcome[BusinessLogic]:
        read = prd.model_dump_json() + contract.model_dump_json()
        return self._outcome(read, lambda: (assemble.write_business_logic(prd, contract), []))

    def refine(
        self,
        request: NodeRequest,
        prd: PrdAnalysis,
        contract: NodeContract,
        source: NodeSource,
        report: ValidationReport,
    ) -> StageOutcome[NodeSource]:
        read = "".join(source.files.values()) + report.model_dump_json()

        def produce() -> tuple[NodeSource, list[str]]:
            refined, _notes = refine.refine_source(source, contract)
            return refined, []

        return self._outcome(read, produce)
