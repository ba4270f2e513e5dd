"""The eight stages as plain functions over a `GenerationState`.

Each stage function takes the state produced by the previous stage and returns a new state with its
own output added, recording one metric row per model call (fallback tries included). The Dagster
assets call these same functions one per asset; `generate` chains them in process for the CLI.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from nodegen.artifacts import (
    BusinessLogic,
    IntelligenceRequest,
    IntelligenceResponse,
    NodeContract,
    NodeKind,
    NodeSource,
    PrdAnalysis,
    ValidationReport,
    WrittenNode,
)
from nodegen.codegen import render_node
from nodegen.config import LOCAL_RULES
from nodegen.errors import ModelCallError, NodegenError
from nodegen.providers.base import StageModel, StageOutcome, Usage
from nodegen.records import (
    EventEnvelope,
    EventType,
    GenerationMetrics,
    GenerationRecord,
    GenerationStatus,
)
from nodegen.request import NodeRequest
from nodegen.services import PipelineServices
from nodegen.stages import Stage
from nodegen.tokens import count_tokens
from nodegen.validation import validate_node
from nodegen.writer import write_node

T = TypeVar("T")

# Stages that are machinery rather than models still get a metric row, under these names.
MACHINE_MODELS: dict[Stage, tuple[str, str]] = {
    Stage.INTELLIGENCE: ("minilm-lancedb", "pattern_store"),
    Stage.GENERATED_CODE: ("onex-renderer", "nodegen"),
    Stage.VALIDATION: ("onex-gates", "nodegen"),
    Stage.REFINEMENT: ("no-refinement-needed", "nodegen"),
    Stage.WRITING: ("atomic-writer", "nodegen"),
}

STAGE_EVENTS: dict[Stage, EventType] = {
    Stage.PRD_ANALYSIS: EventType.PROMPT_PARSED,
    Stage.INTELLIGENCE: EventType.INTELLIGENCE_GATHERED,
    Stage.CONTRACT: EventType.CONTRACT_BUILT,
    Stage.BUSINESS_LOGIC: EventType.BUSINESS_LOGIC_WRITTEN,
    Stage.GENERATED_CODE: EventType.CODE_GENERATED,
    Stage.VALIDATION: EventType.VALIDATION_COMPLETED,
    Stage.REFINEMENT: EventType.CODE_REFINED,
    Stage.WRITING: EventType.NODE_GENERATED,
}


class StageCall(BaseModel):
    """What one stage did: the rows it recorded (one per try) and which model produced the output."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage
    model: str
    calls: list[GenerationMetrics]

    @property
    def succeeded(self) -> GenerationMetrics:
        return self.calls[-1]


class GenerationState(BaseModel):
    """Everything known about one generation so far; each stage adds its output."""

    model_config = ConfigDict(extra="forbid")

    correlation_id: str
    request: NodeRequest
    prd: PrdAnalysis | None = None
    intelligence: IntelligenceResponse | None = None
    contract: NodeContract | None = None
    logic: BusinessLogic | None = None
    source: NodeSource | None = None
    report: ValidationReport | None = None
    written: WrittenNode | None = None
    stage_calls: dict[Stage, StageCall] = Field(default_factory=dict)

    @property
    def node_kind(self) -> str | None:
        return self.prd.node_kind.value if self.prd else None

    def stage_models(self) -> dict[str, str]:
        return {stage.value: call.model for stage, call in self.stage_calls.items()}

    def need(self, field: str) -> Any:
        value = getattr(self, field)
        if value is None:
            raise NodegenError(f"stage input {field!r} is missing: run the upstream stage first")
        return value


def new_generation(services: PipelineServices, request: NodeRequest) -> GenerationState:
    """Open a generation: a fresh correlation id, a `generations` row and a REQUESTED event."""
    correlation_id = uuid.uuid4().hex
    services.store.start_generation(
        GenerationRecord(
            correlation_id=correlation_id,
            request_id=request.request_id,
            node_name=request.name or "",
            node_kind=request.node_type.value if request.node_type else "",
            domain=request.domain or "",
            status=GenerationStatus.RUNNING,
        )
    )
    services.store.append_event(
        EventEnvelope(
            event_type=EventType.NODE_GENERATION_REQUESTED,
            correlation_id=correlation_id,
            payload_type="NodeRequest",
            payload=request.model_dump(mode="json"),
        )
    )
    return GenerationState(correlation_id=correlation_id, request=request)


def _record(
    services: PipelineServices,
    state: GenerationState,
    stage: Stage,
    *,
    model: str,
    provider: str,
    usage: Usage,
    quality: float,
    success: bool,
    attempt: int,
    patterns_used: list[str] | None = None,
    error: str | None = None,
    payload: BaseModel | None = None,
) -> GenerationMetrics:
    metrics = GenerationMetrics(
        correlation_id=state.correlation_id,
        stage=stage,
        attempt=attempt,
        model_used=model,
        provider=provider,
        tokens_input=usage.tokens_input,
        tokens_output=usage.tokens_output,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        latency_ms=usage.latency_ms,
        cost_usd=usage.cost_usd,
        quality_score=max(0.0, min(1.0, quality)),
        success=success,
        patterns_used=patterns_used or [],
        error=error,
        node_kind=state.node_kind or (state.request.node_type.value if state.request.node_type else None),
    )
    events = [
        EventEnvelope(
            event_type=EventType.GENERATION_METRICS_RECORDED,
            correlation_id=state.correlation_id,
            payload_type="GenerationMetrics",
            payload=metrics.model_dump(mode="json"),
        )
    ]
    if success and payload is not None:
        events.append(
            EventEnvelope(
                event_type=STAGE_EVENTS[stage],
                correlation_id=state.correlation_id,
                payload_type=type(payload).__name__,
                payload=payload.model_dump(mode="json"),
            )
        )
    services.store.record_stage_call(metrics, events)
    return metrics


def _run_model_stage(
    services: PipelineServices,
    state: GenerationState,
    stage: Stage,
    invoke: Callable[[StageModel], StageOutcome[T]],
    score: Callable[[T], float],
) -> tuple[T, StageCall]:
    """Call the routed model, falling back by priority and finally to local-rules; record every try."""
    chain = services.model_chain(stage, state.correlation_id, state.request, state.node_kind)
    first_attempt = services.store.next_attempt(state.correlation_id, stage)
    calls: list[GenerationMetrics] = []
    errors: list[str] = []
    for offset, model_name in enumerate(chain):
        attempt = first_attempt + offset
        started = time.perf_counter()
        try:
            model = services.stage_model(model_name)
            outcome = invoke(model)
        except (ModelCallError, NodegenError, ValueError) as exc:
            usage = getattr(exc, "usage", None) or Usage()
            if not usage.latency_ms:
                usage = usage.model_copy(update={"latency_ms": (time.perf_counter() - started) * 1000})
            message = f"{type(exc).__name__}: {exc}"[:2000]
            errors.append(f"{model_name}: {message}")
            calls.append(
                _record(
                    services, state, stage, model=model_name,
                    provider=services.provider_of(model_name), usage=usage,
                    quality=0.0, success=False, attempt=attempt, error=message,
                )
            )
            continue
        quality = score(outcome.output)
        calls.append(
            _record(
                services, state, stage, model=outcome.model, provider=outcome.provider,
                usage=outcome.usage, quality=quality, success=True, attempt=attempt,
                patterns_used=outcome.patterns_used, payload=outcome.output,  # type: ignore[arg-type]
            )
        )
        return outcome.output, StageCall(stage=stage, model=outcome.model, calls=calls)
    raise NodegenError(f"{stage.value}: every model failed: " + " | ".join(errors))


def _run_machine_stage(
    services: PipelineServices,
    state: GenerationState,
    stage: Stage,
    work: Callable[[], T],
    score: Callable[[T], float],
    *,
    text_in: str,
    text_out: Callable[[T], str],
    patterns_used: Callable[[T], list[str]] = lambda _: [],
) -> tuple[T, StageCall]:
    """Deterministic stages (retrieval, rendering, gates, writing): one measured, recorded call."""
    model, provider = MACHINE_MODELS[stage]
    attempt = services.store.next_attempt(state.correlation_id, stage)
    started = time.perf_counter()
    try:
        output = work()
    except NodegenError as exc:
        usage = Usage(tokens_input=count_tokens(text_in), latency_ms=(time.perf_counter() - started) * 1000)
        _record(
            services, state, stage, model=model, provider=provider, usage=usage, quality=0.0,
            success=False, attempt=attempt, error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    usage = Usage(
        tokens_input=count_tokens(text_in),
        tokens_output=count_tokens(text_out(output)),
        latency_ms=(time.perf_counter() - started) * 1000,
    )
    quality = score(output)
    metrics = _record(
        services, state, stage, model=model, provider=provider, usage=usage, quality=quality,
        success=True, attempt=attempt, patterns_used=patterns_used(output),
        payload=output if isinstance(output, BaseModel) else None,
    )
    return output, StageCall(stage=stage, model=model, calls=[metrics])


def _with(state: GenerationState, call: StageCall, **fields: Any) -> GenerationState:
    return state.model_copy(update={**fields, "stage_calls": {**state.stage_calls, call.stage: call}})


def _analyse_prd(
    services: PipelineServices, state: GenerationState, intelligence: IntelligenceResponse | None
) -> tuple[PrdAnalysis, StageCall]:
    prd, call = _run_model_stage(
        services, state, Stage.PRD_ANALYSIS,
        lambda model: model.analyse_prd(state.request, intelligence),
        lambda prd: 1.0 if prd.in_catalogue else 0.5,
    )
    services.store.update_generation(
        state.correlation_id, node_name=prd.name, node_kind=prd.node_kind.value, domain=prd.domain
    )
    return prd, call


def run_prd_analysis(services: PipelineServices, state: GenerationState) -> GenerationState:
    prd, call = _analyse_prd(services, state, None)
    return _with(state, call, prd=prd)


def run_intelligence(services: PipelineServices, state: GenerationState) -> GenerationState:
    prd: PrdAnalysis = state.need("prd")
    query = IntelligenceRequest(
        correlation_id=state.correlation_id,
        prompt=state.request.prompt,
        node_kind=prd.node_kind,
        domain=prd.domain if prd.domain != "generic" else None,
    )
    response, call = _run_machine_stage(
        services, state, Stage.INTELLIGENCE,
        lambda: services.search_patterns(query),
        lambda r: r.confidence,
        text_in=query.prompt,
        text_out=lambda r: r.model_dump_json(),
        patterns_used=lambda r: [hit.pattern_id for hit in r.patterns_found],
    )
    state = _with(state, call, intelligence=response)
    if prd.in_catalogue or not response.patterns_found:
        return state
    # The first analysis found no recipe for the request's wording: ask again with the closest
    # successes in hand (recorded as a second PRD-analysis call that names the patterns it used).
    grounded, prd_call = _analyse_prd(services, state, response)
    return _with(state, prd_call, prd=grounded)


def run_contract(services: PipelineServices, state: GenerationState) -> GenerationState:
    prd = state.need("prd")
    intelligence = state.need("intelligence")
    contract, call = _run_model_stage(
        services, state, Stage.CONTRACT,
        lambda model: model.build_contract(state.request, prd, intelligence),
        lambda contract: 1.0 if contract.input_model.name and contract.output_model.name else 0.5,
    )
    return _with(state, call, contract=contract)


def run_business_logic(services: PipelineServices, state: GenerationState) -> GenerationState:
    prd, contract, intelligence = state.need("prd"), state.need("contract"), state.need("intelligence")
    logic, call = _run_model_stage(
        services, state, Stage.BUSINESS_LOGIC,
        lambda model: model.write_business_logic(state.request, prd, contract, intelligence),
        lambda logic: 1.0 if logic.implemented else 0.2,
    )
    return _with(state, call, logic=logic)


def run_code_generation(services: PipelineServices, state: GenerationState) -> GenerationState:
    prd, contract, logic = state.need("prd"), state.need("contract"), state.need("logic")
    source, call = _run_machine_stage(
        services, state, Stage.GENERATED_CODE,
        lambda: render_node(
            prd, contract, logic,
            correlation_id=state.correlation_id, stage_models=state.stage_models(),
        ),
        lambda _: 1.0,
        text_in=contract.model_dump_json() + logic.model_dump_json(),
        text_out=lambda s: "\n".join(s.files.values()),
    )
    return _with(state, call, source=source)


def run_validation(services: PipelineServices, state: GenerationState) -> GenerationState:
    source: NodeSource = state.need("source")
    report, call = _run_machine_stage(
        services, state, Stage.VALIDATION,
        lambda: validate_node(source, limits=services.sandbox_limits),
        lambda r: r.quality_score,
        text_in="\n".join(source.files.values()),
        text_out=lambda r: r.model_dump_json(),
    )
    return _with(state, call, report=report)


def run_refinement(services: PipelineServices, state: GenerationState) -> GenerationState:
    """Repair blocking failures and re-validate, up to the configured number of attempts."""
    source: NodeSource = state.need("source")
    report: ValidationReport = state.need("report")
    prd, contract = state.need("prd"), state.need("contract")
    calls: list[GenerationMetrics] = []
    model_name = LOCAL_RULES
    for _ in range(services.selection.refinement_max_attempts):
        if report.success:
            break
        before = report
        revalidated: list[ValidationReport] = []

        def revalidate(refined: NodeSource, sink: list[ValidationReport] = revalidated) -> float:
            sink.append(validate_node(refined, limits=services.sandbox_limits))
            return sink[-1].quality_score

        refined, call = _run_model_stage(
            services, state, Stage.REFINEMENT,
            lambda model, src=source, rep=before: model.refine(state.request, prd, contract, src, rep),
            revalidate,
        )
        model_name = call.model
        calls.extend(call.calls)
        previous = source
        source = refined.model_copy(update={"refinement_attempts": source.refinement_attempts + 1})
        report = revalidated[-1]
        if not report.success and report.quality_score <= before.quality_score:
            source, report = previous, before  # no progress: keep the better version, stop
            break
    if not calls:
        # Nothing to repair: record the pass-through so every stage has its row.
        _, call = _run_machine_stage(
            services, state, Stage.REFINEMENT, lambda: source, lambda _: report.quality_score,
            text_in="", text_out=lambda _: "",
        )
        calls = call.calls
        model_name = call.model
    return _with(
        state, StageCall(stage=Stage.REFINEMENT, model=model_name, calls=calls),
        source=source, report=report,
    )


def run_writing(services: PipelineServices, state: GenerationState) -> GenerationState:
    """Write the node (only when every blocking gate passed) and close the generation."""
    source: NodeSource = state.need("source")
    report: ValidationReport = state.need("report")
    prd: PrdAnalysis = state.need("prd")
    if not report.success:
        failed = ", ".join(g.gate for g in report.blocking_failures)
        error = f"blocking gates failed: {failed}"
        finish_generation(services, state, success=False, error=error)
        raise NodegenError(f"{state.request.request_id}: node not written, {error}")
    try:
        written, call = _run_machine_stage(
            services, state, Stage.WRITING,
            lambda: write_node(services.output_dir, source, name=prd.name, kind=NodeKind(prd.node_kind)),
            lambda _: report.quality_score,
            text_in="\n".join(source.files.values()),
            text_out=lambda w: "\n".join(w.files),
        )
    except NodegenError as exc:
        finish_generation(services, state, success=False, error=str(exc))
        raise
    state = _with(state, call, written=written)
    finish_generation(services, state, success=True)
    return state


def finish_generation(
    services: PipelineServices, state: GenerationState, *, success: bool, error: str | None = None
) -> None:
    """Close the `generations` row and credit the final quality to the model stages that produced it."""
    frame_quality = state.report.quality_score if state.report else 0.0
    services.store.attribute_quality(state.correlation_id, frame_quality, [s.value for s in MODEL_STAGES])
    totals = services.store.generation_totals(state.correlation_id)
    services.store.finish_generation(
        state.correlation_id,
        status=GenerationStatus.SUCCEEDED if success else GenerationStatus.FAILED,
        quality_score=frame_quality,
        success=success,
        total_cost_usd=totals["cost_usd"],
        total_latency_ms=totals["latency_ms"],
        output_path=state.written.version_dir if state.written else None,
        error=error,
    )
    if not success:
        services.store.append_event(
            EventEnvelope(
                event_type=EventType.NODE_GENERATION_FAILED,
                correlation_id=state.correlation_id,
                payload_type="GenerationFailure",
                payload={"error": error, "request_id": state.request.request_id},
            )
        )
    elif state.report and state.prd and state.source:
        services.remember_success(state)


MODEL_STAGES = (Stage.PRD_ANALYSIS, Stage.CONTRACT, Stage.BUSINESS_LOGIC)

STAGE_FUNCTIONS: dict[Stage, Callable[[PipelineServices, GenerationState], GenerationState]] = {
    Stage.PRD_ANALYSIS: run_prd_analysis,
    Stage.INTELLIGENCE: run_intelligence,
    Stage.CONTRACT: run_contract,
    Stage.BUSINESS_LOGIC: run_business_logic,
    Stage.GENERATED_CODE: run_code_generation,
    Stage.VALIDATION: run_validation,
    Stage.REFINEMENT: run_refinement,
    Stage.WRITING: run_writing,
}


def run_stage(services: PipelineServices, stage: Stage, state: GenerationState) -> GenerationState:
    """Run one stage; a failure closes the generation as failed with its reason, then re-raises."""
    try:
        return STAGE_FUNCTIONS[stage](services, state)
    except NodegenError as exc:
        if stage is not Stage.WRITING:
            finish_generation(services, state, success=False, error=f"{stage.value}: {exc}")
        raise


class GenerationSummary(BaseModel):
    """The CLI's per-request JSON (DESIGN.md, Command line)."""

    request_id: str
    correlation_id: str
    success: bool
    quality_score: float
    node_path: str | None
    error: str | None = None
    stages: list[dict[str, Any]]


def summarise(state: GenerationState, error: str | None = None) -> GenerationSummary:
    stages = [
        {
            "stage": call.stage.value,
            "model": row.model_used,
            "attempt": row.attempt,
            "tokens_input": row.tokens_input,
            "tokens_output": row.tokens_output,
            "latency_ms": round(row.latency_ms, 2),
            "cost_usd": row.cost_usd,
            "quality_score": round(row.quality_score, 4),
            "success": row.success,
        }
        for call in state.stage_calls.values()
        for row in call.calls
    ]
    return GenerationSummary(
        request_id=state.request.request_id,
        correlation_id=state.correlation_id,
        success=error is None and state.written is not None,
        quality_score=state.report.quality_score if state.report else 0.0,
        node_path=state.written.version_dir if state.written else None,
        error=error,
        stages=stages,
    )


def generate(services: PipelineServices, request: NodeRequest) -> GenerationSummary:
    """Run all eight stages in process. A failed stage ends the generation with its reason."""
    state = new_generation(services, request)
    for stage in Stage:
        try:
            state = run_stage(services, stage, state)
        except NodegenError as exc:
            return summarise(state, error=str(exc))
    return summarise(state)
