"""Materialization metadata for the stage assets: cost of the call and a readable preview."""

from __future__ import annotations

import yaml
from dagster import MetadataValue

from nodegen.pipeline import GenerationState
from nodegen.stages import Stage

PREVIEW_CHARS = 6000


def _code_block(text: str, language: str) -> str:
    if len(text) > PREVIEW_CHARS:
        text = text[:PREVIEW_CHARS] + "\n# ... truncated"
    return f"```{language}\n{text}\n```"


def _preview(state: GenerationState, stage: Stage) -> str:
    if stage is Stage.PRD_ANALYSIS and state.prd:
        return _code_block(yaml.safe_dump(state.prd.model_dump(mode="json"), sort_keys=False), "yaml")
    if stage is Stage.INTELLIGENCE and state.intelligence:
        rows = [
            f"| {hit.node_name} | {hit.node_kind} | {hit.domain} | {hit.similarity:.3f} | {hit.quality_score:.2f} |"
            for hit in state.intelligence.patterns_found
        ]
        table = "| pattern | kind | domain | similarity | quality |\n|---|---|---|---|---|\n" + "\n".join(rows)
        recs = "\n".join(f"- {r}" for r in state.intelligence.recommendations)
        preview = (table if rows else "No pattern retrieved.") + ("\n\n" + recs if recs else "")
        prd_call = state.stage_calls.get(Stage.PRD_ANALYSIS)
        followed = prd_call.calls[-1].patterns_used if prd_call else []
        if followed and state.prd:
            preview += (
                f"\n\nThe PRD was analysed again following {', '.join(followed)}: "
                f"operations {', '.join(state.prd.operations) or 'none'}."
            )
        return preview
    if stage is Stage.CONTRACT and state.contract:
        return _code_block(
            yaml.safe_dump(state.contract.model_dump(mode="json", exclude_none=True), sort_keys=False), "yaml"
        )
    if stage is Stage.BUSINESS_LOGIC and state.logic:
        status = "implemented" if state.logic.implemented else "**NOT implemented** (outside the catalogue)"
        return f"Recipes: {', '.join(state.logic.recipes) or 'none'}; {status}\n\n" + _code_block(
            state.logic.process_body, "python"
        )
    if stage in (Stage.GENERATED_CODE, Stage.REFINEMENT) and state.source:
        node_py = state.source.files.get("node.py", "")
        return f"{len(state.source.files)} files\n\n" + _code_block(node_py, "python")
    if stage is Stage.VALIDATION and state.report:
        rows = [
            f"| {g.gate} | {'pass' if g.passed else 'FAIL'} | {g.severity} | {g.score:.2f} | "
            f"{'; '.join(g.findings)[:200].replace('|', '/')} |"
            for g in state.report.gates
        ]
        return (
            f"Quality {state.report.quality_score:.3f}, success {state.report.success}, "
            f"isolation {state.report.isolation or 'n/a'}\n\n"
            "| gate | result | severity | score | findings |\n|---|---|---|---|---|\n" + "\n".join(rows)
        )
    if stage is Stage.WRITING and state.written:
        return f"`{state.written.version_dir}`\n\n" + "\n".join(f"- {f}" for f in state.written.files)
    return ""


def stage_metadata(state: GenerationState, stage: Stage) -> dict[str, object]:
    call = state.stage_calls[stage]
    final = call.calls[-1]
    metadata: dict[str, object] = {
        "correlation_id": state.correlation_id,
        "model": final.model_used,
        "provider": final.provider,
        "attempts": len(call.calls),
        "tokens_input": sum(c.tokens_input for c in call.calls),
        "tokens_output": sum(c.tokens_output for c in call.calls),
        "latency_ms": round(sum(c.latency_ms for c in call.calls), 2),
        "cost_usd": sum(c.cost_usd for c in call.calls),
        "quality_score": round(final.quality_score, 4),
        "preview": MetadataValue.md(_preview(state, stage)),
    }
    if final.patterns_used:
        metadata["patterns_used"] = ", ".join(final.patterns_used)
    failed = [c for c in call.calls if not c.success]
    if failed:
        metadata["failed_tries"] = MetadataValue.md(
            "\n".join(f"- {c.model_used}: {c.error}" for c in failed)
        )
    if stage is Stage.WRITING and state.written:
        metadata["node_path"] = MetadataValue.path(state.written.version_dir)
    return metadata
