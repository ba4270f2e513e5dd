"""Gates on real nodes: the good fixtures pass, each gate catches a known-bad input, and a
mutation run over the good nodes kills every injected defect."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from nodegen.artifacts import GateResult, NodeSource, Severity
from nodegen.validation import FAILED_BLOCKING_CAP, GATES, quality_score, validate_node
from nodegen.validation.gates import NodeView, gate_naming, gate_security

from .good_nodes import ALL_GOOD, compute_node, effect_node, reducer_node

FAST = {"run_types": False}


def _gate(report, name: str) -> GateResult:
    return next(g for g in report.gates if g.gate == name)


def _edit(src: NodeSource, path: str, fn: Callable[[str], str]) -> NodeSource:
    files = dict(src.files)
    targets = list(files) if path == "*" else [path]
    new = {p: fn(files[p]) for p in targets}
    assert any(new[p] != files[p] for p in targets), f"mutation did not change {path}"
    files.update(new)
    return src.model_copy(update={"files": files})


def test_weights_table_is_documented_and_sums_to_one() -> None:
    assert abs(sum(g.weight for g in GATES) - 1.0) < 1e-9
    assert {g.name: g.severity for g in GATES}["types"] == Severity.WARNING
    assert {g.name: g.severity for g in GATES}["lint"] == Severity.WARNING


@pytest.mark.parametrize("kind", sorted(ALL_GOOD))
def test_good_node_passes_every_gate(kind: str) -> None:
    report = validate_node(ALL_GOOD[kind]())
    failed = {g.gate: g.findings for g in report.gates if not g.passed}
    assert report.success and not failed, failed
    assert report.quality_score == 1.0
    assert [g.gate for g in report.gates] == [g.name for g in GATES]
    assert report.isolation


def test_failed_blocking_gate_caps_score() -> None:
    gates = [
        GateResult(gate=g.name, passed=True, severity=g.severity, score=1.0, weight=g.weight)
        for g in GATES
    ]
    assert quality_score(gates) == (1.0, True)
    gates[0] = gates[0].model_copy(update={"passed": False, "score": 0.9})
    score, success = quality_score(gates)
    assert not success and score == FAILED_BLOCKING_CAP
    # A failed warning gate lowers the score but keeps success.
    gates = [
        g.model_copy(update={"passed": g.gate != "lint", "score": 0.0 if g.gate == "lint" else 1.0})
        for g in gates
    ]
    score, success = quality_score(gates)
    assert success and score == pytest.approx(0.95)


# name -> (seed node, path, edit, gate that must fail)
MUTATIONS: dict[str, tuple[Callable[[], NodeSource], str, Callable[[str], str], str]] = {
    "syntax_error": (
        compute_node,
        "node.py",
        lambda s: s.replace("async def process", "async def process(:"),
        "syntax",
    ),
    "wrong_class_name": (
        compute_node,
        "node.py",
        lambda s: s.replace("NodeSumNumbersCompute", "SumNode"),
        "consistency",
    ),
    "io_in_compute": (
        compute_node,
        "node.py",
        lambda s: s.replace("        if any(", "        open('/tmp/x').read()\n        if any("),
        "kind_purity",
    ),
    "env_read_in_reducer": (
        reducer_node,
        "node.py",
        lambda s: s.replace(
            "        state, intents",
            "        import os\n        _ = os.environ.get('HOME')\n        state, intents",
        ),
        "kind_purity",
    ),
    "eval": (
        reducer_node,
        "node.py",
        lambda s: s.replace(
            "nxt = TRANSITIONS.get((state, event))", "nxt = eval('TRANSITIONS').get((state, event))"
        ),
        "security",
    ),
    "failing_test": (
        compute_node,
        "tests/test_node_sum_numbers.py",
        lambda s: s.replace("== 6.5", "== 7.5"),
        "tests",
    ),
    "missing_contract_field": (
        compute_node,
        "contract.yaml",
        lambda s: re.sub(r"(?m)^description:.*\n", "", s),
        "contract_schema",
    ),
    "wrong_process_signature": (
        compute_node,
        "node.py",
        lambda s: s.replace(
            "process(self, input_data: ModelSumNumbersInput)", "process(self, data: dict)"
        ),
        "consistency",
    ),
    "sync_process": (
        reducer_node,
        "node.py",
        lambda s: s.replace("async def process", "def process"),
        "consistency",
    ),
    "hardcoded_api_key": (
        effect_node,
        "node.py",
        lambda s: s.replace(
            '"""The transport',
            'API_KEY = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv"\n    """The transport',
        ),
        "security",
    ),
    "aws_key": (
        compute_node,
        "node.py",
        lambda s: s + '\nAWS = "AKIAIOSFODNN7EXAMPLE"\n',
        "security",
    ),
    "subprocess_shell": (
        effect_node,
        "node.py",
        lambda s: s.replace("import asyncio\n", "import asyncio\nimport subprocess\n"),
        "security",
    ),
    "network_in_reducer": (
        reducer_node,
        "node.py",
        lambda s: s.replace('"""Reducer', 'import socket  # noqa\n"""Reducer'),
        "security",
    ),
    "pickle": (
        compute_node,
        "node.py",
        lambda s: s.replace("import math\n", "import math\nimport pickle\n"),
        "security",
    ),
    "dynamic_import": (
        compute_node,
        "node.py",
        lambda s: s.replace("        if any(", "        __import__('os')\n        if any("),
        "security",
    ),
    "kind_mismatch": (
        compute_node,
        "contract.yaml",
        lambda s: s.replace("COMPUTE_GENERIC", "EFFECT_GENERIC"),
        "consistency",
    ),
    "output_model_missing": (
        compute_node,
        "models/model_sum_numbers_output.py",
        lambda s: s.replace("class ModelSumNumbersOutput", "class SumOut"),
        "consistency",
    ),
    "import_time_crash": (
        reducer_node,
        "node.py",
        lambda s: s + "\nraise RuntimeError('boom at import')\n",
        "import",
    ),
    "ctor_needs_args": (
        compute_node,
        "node.py",
        lambda s: s.replace(
            "    async def process",
            "    def __init__(self, required: int) -> None:\n        self.required = required\n\n    async def process",
        ),
        "import",
    ),
    # consistent everywhere (contract, node, tests) but not Model<Name>Input
    "model_class_not_onex_name": (
        compute_node,
        "*",
        lambda s: s.replace("ModelSumNumbersInput", "SumInput"),
        "naming",
    ),
}


def test_mutations_are_all_killed(capsys: pytest.CaptureFixture[str]) -> None:
    survivors, wrong_gate = [], []
    for name, (seed, path, edit, gate) in MUTATIONS.items():
        report = validate_node(_edit(seed(), path, edit), **FAST)
        if report.success:
            survivors.append(name)
        elif _gate(report, gate).passed:
            wrong_gate.append((name, gate, [g.gate for g in report.blocking_failures]))
        else:
            assert report.quality_score <= FAILED_BLOCKING_CAP
    killed = len(MUTATIONS) - len(survivors)
    with capsys.disabled():
        print(f"\nmutation kill rate: {killed}/{len(MUTATIONS)} = {killed / len(MUTATIONS):.0%}")
    assert not survivors, survivors
    assert not wrong_gate, wrong_gate


def test_naming_gate_catches_bad_folder_and_missing_files() -> None:
    src = compute_node()
    files = {k: v for k, v in src.files.items() if not k.startswith("tests/")}
    bad = NodeSource(node_dir_name="SumNumbers", files=files)
    assert not gate_naming(NodeView.build(bad)).passed
    missing = NodeSource(node_dir_name=src.node_dir_name, files=files)
    result = gate_naming(NodeView.build(missing))
    assert not result.passed and any("test_node_sum_numbers.py" in f for f in result.findings)


def test_security_ignores_placeholders_but_catches_credentials() -> None:
    ok = _edit(compute_node(), "node.py", lambda s: s + '\napi_key = "${ANTHROPIC_API_KEY}"\n')
    assert gate_security(NodeView.build(ok)).passed
    bad = _edit(compute_node(), "node.py", lambda s: s + '\napi_key = "q8Zr7T1pLx0w"\n')
    assert not gate_security(NodeView.build(bad)).passed


def test_lint_is_a_warning_gate() -> None:
    src = _edit(
        compute_node(),
        "node.py",
        lambda s: s.replace("import math\n", "import math\nimport json\n"),
    )
    report = validate_node(src, **FAST)
    lint = _gate(report, "lint")
    assert not lint.passed and any("F401" in f for f in lint.findings)
    assert report.success and report.quality_score < 1.0


@pytest.mark.slow
def test_types_gate_reports_mypy_errors() -> None:
    src = _edit(
        reducer_node(),
        "node.py",
        lambda s: s.replace(
            "        state, intents = input_data.state, []",
            "        count: int = 'zero'\n        state, intents = input_data.state, [count]",
        ),
    )
    report = validate_node(src)
    types = _gate(report, "types")
    assert not types.passed and any("assignment" in f for f in types.findings), types.findings
    assert types.severity == Severity.WARNING


def test_path_escape_is_refused_not_written() -> None:
    src = compute_node()
    files = {**src.files, "../escape.py": "x = 1\n"}
    report = validate_node(src.model_copy(update={"files": files}), **FAST)
    assert not report.success
    assert not _gate(report, "naming").passed
    assert any("outside the sandbox" in f for f in _gate(report, "tests").findings)
