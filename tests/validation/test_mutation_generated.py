"""Mutation test over nodes the offline model generates: 10 good nodes x 8 defect kinds.

Every mutant must fail a blocking gate (the generation would not be written). The kill rate is
printed; the test fails on any survivor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from nodegen.artifacts import NodeSource
from nodegen.codegen import render_node
from nodegen.offline import assemble, parser
from nodegen.request import load_request_file
from nodegen.validation import validate_node

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
# Pure kinds, so that "I/O in a compute/reducer node" applies to every one of them.
NODES = [
    "order_stats.yaml", "temperature_convert.json", "invoice_currency_convert.yaml",
    "sales_by_region.json", "event_dedupe.yaml", "signup_validate.json", "record_rename.json",
    "order_lifecycle.json", "inventory_tally.yaml", "ticket_lifecycle.json",
]


def _generate(file_name: str) -> NodeSource:
    request = load_request_file(EXAMPLES / file_name)
    prd, _ = parser.analyse(request, None)
    contract = assemble.build_contract(prd)
    logic = assemble.write_business_logic(prd, contract)
    return render_node(prd, contract, logic, correlation_id="mutation", stage_models={})


def _test_file(files: dict[str, str]) -> str:
    return next(p for p in files if p.startswith("tests/test_"))


def _after_imports(code: str, line: str) -> str:
    """Insert a module-level line after the last top-level import."""
    lines = code.splitlines()
    last = max(i for i, text in enumerate(lines) if re.match(r"(from \S+ )?import ", text))
    return "\n".join([*lines[: last + 1], line, *lines[last + 1 :]]) + "\n"


def _drop_contract_key(text: str, key: str) -> str:
    data = yaml.safe_load(text)
    del data[key]
    return yaml.safe_dump(data, sort_keys=False)


Mutation = Callable[[dict[str, str]], dict[str, str]]

MUTATIONS: dict[str, Mutation] = {
    "syntax_error": lambda f: {**f, "node.py": f["node.py"] + "\ndef broken(:\n"},
    "wrong_class_name": lambda f: {
        **f, "node.py": re.sub(r"class (Node\w+?)(Compute|Reducer)\b", r"class \1Thing", f["node.py"])
    },
    "io_in_pure_node": lambda f: {
        **f, "node.py": _after_imports(f["node.py"], "HOSTNAME = open('/etc/hostname').read()")
    },
    "eval": lambda f: {**f, "node.py": _after_imports(f["node.py"], "FACTOR = eval('2 * 3')")},
    "failing_test": lambda f: {
        **f, _test_file(f): f[_test_file(f)] + "\n\ndef test_injected() -> None:\n    assert 1 == 2\n"
    },
    "contract_missing_field": lambda f: {
        **f, "contract.yaml": _drop_contract_key(f["contract.yaml"], "input_model")
    },
    "wrong_process_signature": lambda f: {
        **f, "node.py": re.sub(r"async def process\(self, input_data", "async def process(self, data",
                               f["node.py"])
    },
    "hard_coded_api_key": lambda f: {
        **f, "node.py": _after_imports(
            f["node.py"], 'ANTHROPIC_KEY = "sk-ant-api03-' + "Q7x" * 30 + '"'
        )
    },
}


@pytest.mark.slow
def test_gates_kill_every_mutant_of_ten_generated_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    survivors: list[str] = []
    total = 0
    for file_name in NODES:
        good = _generate(file_name)
        assert validate_node(good).success, f"{file_name}: the unmutated node must pass"
        for kind, mutate in MUTATIONS.items():
            files = mutate(dict(good.files))
            assert files != good.files, f"{kind} did not change {file_name}"
            total += 1
            report = validate_node(good.model_copy(update={"files": files}))
            if report.success:
                survivors.append(f"{file_name}:{kind}")
    with capsys.disabled():
        print(f"\ngenerated-node mutation kill rate: {total - len(survivors)}/{total}")
    assert not survivors, survivors
