"""One asset per pipeline stage, partitioned by request.

Each asset loads the upstream `GenerationState`, runs its stage through the domain
(`nodegen.pipeline.run_stage`) and returns the new state with metadata: the model, tokens, latency,
cost and quality of the call, and a readable preview of what the stage produced. Re-materializing a
stage for a partition makes its downstream assets stale in the UI.

The gates show up as asset checks twice: on `validation_report` (the first verdict, not blocking, so
refinement can repair) and on `refined_code` (the final verdict; blocking checks stop `written_node`).
"""


from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from nodegen.artifacts import Severity
from nodegen.errors import NodegenError
from nodegen.inbox import load_archived_request
from nodegen.pipeline import GenerationState, finish_generation, new_generation, run_stage
from nodegen.stages import Stage
from nodegen.validation import GATES
from nodegen_assets.metadata import stage_metadata
from nodegen_assets.partitions import requests_partitions
from nodegen_assets.pools import stage_pool
from resources import NodegenResource

GROUP = "generation"


def _gate_specs(asset_name: str, *, blocking: bool) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            name=gate.name,
            asset=asset_name,
            blocking=blocking and gate.severity == Severity.BLOCKING,
            description=f"{gate.why} ({gate.severity}, weight {gate.weight})",
        )
        for gate in GATES
    ]


def _gate_results(state: GenerationState) -> list[AssetCheckResult]:
    report = state.need("report")
    return [
        AssetCheckResult(
            check_name=result.gate,
            passed=result.passed,
            severity=(
                AssetCheckSeverity.ERROR if result.severity == Severity.BLOCKING
                else AssetCheckSeverity.WARN
            ),
            metadata={
                "score": result.score,
                "findings": MetadataValue.md("\n".join(f"- {f}" for f in result.findings) or "none"),
            },
        )
        for result in report.gates
    ]


def _run(
    context: AssetExecutionContext, nodegen: NodegenResource, stage: Stage, state: GenerationState
) -> MaterializeResult:
    """Run one stage; a domain failure becomes a Dagster Failure that says why (the generation is
    already closed as failed in the metrics store by `run_stage`)."""
    try:
        new_state = run_stage(nodegen.services(), stage, state)
    except NodegenError as exc:
        raise Failure(
            description=f"{stage.value} failed for {context.partition_key}: {exc}",
            metadata={"correlation_id": state.correlation_id, "error_code": exc.code},
        ) from exc
    context.log.info(f"{stage.value} done for {context.partition_key} ({new_state.correlation_id})")
    return MaterializeResult(value=new_state, metadata=stage_metadata(new_state, stage))


@asset(partitions_def=requests_partitions, group_name=GROUP, pool=stage_pool(Stage.PRD_ANALYSIS), kinds={"python"})
def prd_analysis(context: AssetExecutionContext, nodegen: NodegenResource) -> MaterializeResult:
    """Stage 1: the request parsed into kind, name, domain, fields and operations."""
    services = nodegen.services()
    request = load_archived_request(nodegen.settings().home, context.partition_key)
    state = new_generation(services, request)
    return _run(context, nodegen, Stage.PRD_ANALYSIS, state)


@asset(partitions_def=requests_partitions, group_name=GROUP, ins={"state": AssetIn("prd_analysis")})
def intelligence(context: AssetExecutionContext, nodegen: NodegenResource, state: GenerationState) -> MaterializeResult:
    """Stage 2: the closest successful generations from the pattern library. When the PRD named no
    recipe, the PRD model is asked again with them in hand."""
    return _run(context, nodegen, Stage.INTELLIGENCE, state)


@asset(partitions_def=requests_partitions, group_name=GROUP, pool=stage_pool(Stage.CONTRACT), ins={"state": AssetIn("intelligence")})
def contract(context: AssetExecutionContext, nodegen: NodegenResource, state: GenerationState) -> MaterializeResult:
    """Stage 3: the node's contract.yaml."""
    return _run(context, nodegen, Stage.CONTRACT, state)


@asset(partitions_def=requests_partitions, group_name=GROUP, pool=stage_pool(Stage.BUSINESS_LOGIC), ins={"state": AssetIn("contract")})
def business_logic(context: AssetExecutionContext, nodegen: NodegenResource, state: GenerationState) -> MaterializeResult:
    """Stage 4: the behaviour of `process`, from recipes or a model."""
    return _run(context, nodegen, Stage.BUSINESS_LOGIC, state)


@asset(partitions_def=requests_partitions, group_name=GROUP, ins={"state": AssetIn("business_logic")})
def generated_code(context: AssetExecutionContext, nodegen: NodegenResource, state: GenerationState) -> MaterializeResult:
    """Stage 5: every file of the node version folder."""
    return _run(context, nodegen, Stage.GENERATED_CODE, state)


@asset(
    partitions_def=requests_partitions,
    group_name=GROUP,
    ins={"state": AssetIn("generated_code")},
    check_specs=_gate_specs("validation_report", blocking=False),
)
def validation_report(
    context: AssetExecutionContext, nodegen: NodegenResource, state: GenerationState
) -> Iterator[MaterializeResult]:
    """Stage 6: every gate on the generated node, and the quality score."""
    result = _run(context, nodegen, Stage.VALIDATION, state)
    yield MaterializeResult(
        value=result.value, metadata=result.metadata, check_results=_gate_results(result.value)
    )


@asset(
    partitions_def=requests_partitions,
    group_name=GROUP,
    pool=stage_pool(Stage.REFINEMENT),
    ins={"state": AssetIn("validation_report")},
    check_specs=_gate_specs("refined_code", blocking=True),
)
def refined_code(
    context: AssetExecutionContext, nodegen: NodegenResource, state: GenerationState
) -> Iterator[MaterializeResult]:
    """Stage 7: repairs of blocking failures, re-validated; its gate checks guard writing."""
    result = _run(context, nodegen, Stage.REFINEMENT, state)
    refined: GenerationState = result.value
    if not refined.need("report").success:
        # Blocking checks stop `written_node` from running, so the verdict is recorded here.
        failed = ", ".join(g.gate for g in refined.need("report").blocking_failures)
        finish_generation(nodegen.services(), refined, success=False,
                          error=f"blocking gates failed: {failed}")
        context.log.warning(f"{context.partition_key}: not written, blocking gates failed: {failed}")
    yield MaterializeResult(
        value=result.value, metadata=result.metadata, check_results=_gate_results(result.value)
    )


@asset(partitions_def=requests_partitions, group_name=GROUP, ins={"state": AssetIn("refined_code")})
def written_node(context: AssetExecutionContext, nodegen: NodegenResource, state: GenerationState) -> MaterializeResult:
    """Stage 8: the node version folder, written atomically under the output root."""
    return _run(context, nodegen, Stage.WRITING, state)


generation_assets = [
    prd_analysis,
    intelligence,
    contract,
    business_logic,
    generated_code,
    validation_report,
    refined_code,
    written_node,
]
