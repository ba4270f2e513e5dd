"""Validation of generated ONEX nodes: static gates, tool gates (ruff, mypy) and sandbox gates
(import + instantiate, generated tests), folded into a weighted quality score.

quality_score = sum(weight * score) / sum(weight) over the gates in `GATES`; when any blocking
gate fails the score is capped at FAILED_BLOCKING_CAP (0.6) so failures never look good.
`success` means every blocking gate passed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nodegen.artifacts import GateResult, NodeSource, Severity, ValidationReport
from nodegen.validation.gates import (
    FAILED_BLOCKING_CAP,
    GATES,
    SPEC,
    STATIC_GATES,
    NodeView,
    _result,
    gate_import,
    gate_lint,
    gate_tests,
    gate_types,
    version_dir,
)
from nodegen.validation.sandbox import (
    SandboxError,
    SandboxLimits,
    SandboxResult,
    detect_isolation,
    materialize,
    run_in_sandbox,
)

__all__ = [
    "FAILED_BLOCKING_CAP",
    "GATES",
    "SandboxError",
    "SandboxLimits",
    "SandboxResult",
    "detect_isolation",
    "quality_score",
    "run_in_sandbox",
    "validate_node",
]

DEFAULT_LIMITS = SandboxLimits(wall_s=60, cpu_s=60, memory_mb=2048)


def quality_score(gates: list[GateResult]) -> tuple[float, bool]:
    """(weighted score, success) for a gate table."""
    total = sum(g.weight for g in gates) or 1.0
    score = sum(g.weight * g.score for g in gates) / total
    success = all(g.passed for g in gates if g.severity == Severity.BLOCKING)
    if not success:
        score = min(score, FAILED_BLOCKING_CAP)
    return round(score, 4), success


def validate_node(
    source: NodeSource,
    *,
    limits: SandboxLimits | None = None,
    run_types: bool = True,
) -> ValidationReport:
    """Run every gate on a node. The node is materialised once as <tmp>/<node_dir>/v<version>/;
    ruff, mypy, the import check and pytest then run concurrently on that one copy."""
    limits = limits or DEFAULT_LIMITS
    view = NodeView.build(source)
    results: dict[str, GateResult] = {fn.__name__[5:]: fn(view) for fn in STATIC_GATES}
    vdir = version_dir(source.version)
    tmp = Path(tempfile.mkdtemp(prefix="nodegen-validate-"))
    try:
        node_root = tmp / source.node_dir_name
        try:
            materialize(source.files, node_root / vdir)
        except SandboxError as exc:
            for name in ("lint", "types", "import", "tests"):
                results[name] = _result(name, [f"not run: {exc}"], time.perf_counter())
        else:
            (node_root / "pytest.ini").write_text("[pytest]\n")
            runnable = results["syntax"].passed
            with ThreadPoolExecutor(max_workers=4) as pool:
                futures = {"lint": pool.submit(gate_lint, node_root / vdir)}
                if run_types:
                    futures["types"] = pool.submit(gate_types, node_root, vdir)
                if runnable:
                    futures["import"] = pool.submit(gate_import, view, node_root, vdir, limits)
                    futures["tests"] = pool.submit(gate_tests, node_root, vdir, limits)
                for name, fut in futures.items():
                    results[name] = fut.result()
            if not runnable:
                for name in ("import", "tests"):
                    results[name] = _result(
                        name, ["not run: syntax gate failed"], time.perf_counter()
                    )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    gates = [results[g.name] for g in GATES if g.name in results]
    score, success = quality_score(gates)
    return ValidationReport(
        gates=gates, quality_score=score, success=success, isolation=detect_isolation()
    )


assert abs(sum(g.weight for g in GATES) - 1.0) < 1e-9 and set(SPEC) == {g.name for g in GATES}
