"""Deterministic rendering of an ONEX node's files from the stage artifacts.

`render_node` turns (PrdAnalysis, NodeContract, BusinessLogic) into the files of one version folder
(DESIGN.md, The output). It is plain string assembly, with no model in the loop, so the same
artifacts always give byte-identical files. The templates are written in the layout `ruff format`
produces (double quotes, magic trailing commas, sorted import blocks), so a rendered node passes
`ruff check` and `ruff format --check` without a formatting pass.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from typing import Any

import yaml

from nodegen import GENERATOR_NAME, __version__
from nodegen.artifacts import (
    BusinessLogic,
    FieldSpec,
    NodeContract,
    NodeKind,
    NodeSource,
    PrdAnalysis,
)

LINE_LENGTH = 100
_CONTRACT_NAME = re.compile(r"^node_(?P<name>[a-z][a-z0-9_]*)_(?P<kind>effect|compute|reducer|orchestrator)$")
_MODEL_MODULE = re.compile(r"^models\.(?P<file>model_[a-z0-9_]+)$")
_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")

STDLIB_MODULES = frozenset(
    {
        "__future__",
        "asyncio",
        "collections",
        "collections.abc",
        "dataclasses",
        "json",
        "math",
        "os",
        "pathlib",
        "sqlite3",
        "statistics",
        "tempfile",
        "time",
        "typing",
    }
)


def pascal(name: str) -> str:
    """snake_case -> PascalCase ("exchange_rates" -> "ExchangeRates")."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def version_dir_name(version: str) -> str:
    """"1.0.0" -> "v1_0_0"."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise ValueError(f"version must be semver MAJOR.MINOR.PATCH, got {version!r}")
    return "v" + version.replace(".", "_")


@dataclass(frozen=True)
class NodeNames:
    """Every name the files of one node must agree on, derived from its contract."""

    name: str
    kind: NodeKind
    dir_name: str
    node_class: str
    error_class: str
    input_class: str
    output_class: str
    input_file: str
    output_file: str

    @property
    def input_module(self) -> str:
        return f"models.{self.input_file}"

    @property
    def output_module(self) -> str:
        return f"models.{self.output_file}"


def node_names(contract: NodeContract) -> NodeNames:
    """Derive class and module names from a contract; raises ValueError on unsafe names."""
    match = _CONTRACT_NAME.match(contract.name)
    if not match:
        raise ValueError(f"contract name {contract.name!r} is not node_<name>_<kind>")
    name, kind = match["name"], NodeKind(match["kind"])
    if contract.node_type != kind.contract_type:
        raise ValueError(
            f"contract node_type {contract.node_type} does not match the kind in {contract.name}"
        )
    files = []
    for ref in (contract.input_model, contract.output_model):
        module = _MODEL_MODULE.match(ref.module)
        if not module:
            raise ValueError(f"model module {ref.module!r} must be models.model_<name>_...")
        if not _CLASS_NAME.match(ref.name):
            raise ValueError(f"model class {ref.name!r} is not a PascalCase identifier")
        files.append(module["file"])
    if files[0] == files[1]:
        raise ValueError("input and output models must live in different modules")
    base = pascal(name)
    return NodeNames(
        name=name,
        kind=kind,
        dir_name=contract.name,
        node_class=f"Node{base}{kind.suffix}",
        error_class=f"Node{base}Error",
        input_class=contract.input_model.name,
        output_class=contract.output_model.name,
        input_file=files[0],
        output_file=files[1],
    )


# ---------------------------------------------------------------------------------------------
# Python source helpers
# ---------------------------------------------------------------------------------------------


def py_literal(value: Any) -> str:
    """A Python literal in ruff-format style (double quotes), for JSON-like values."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {py_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot render {type(value).__name__} as a literal")


def safe_text(text: str, limit: int = 400) -> str:
    """Prompt text made safe for a docstring: one paragraph, no quotes runs or backslashes."""
    cleaned = " ".join(text.replace("\\", "/").replace('"""', "'''").split())
    cleaned = "".join(ch for ch in cleaned if ch.isprintable())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 3].rstrip() + "..."
    return cleaned.rstrip('"') or "No description."


def docstring(text: str, indent: str = "") -> str:
    """A docstring wrapped to the line length (ruff format leaves docstring text alone)."""
    lines = textwrap.wrap(safe_text(text), width=LINE_LENGTH - len(indent) - 6)
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    rest = "".join(f"{indent}{line}\n" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{rest}{indent}"""\n'


def call(prefix: str, args: list[str], indent: str, suffix: str = "") -> str:
    """`prefix(args)suffix` on one line when it fits, else exploded with a trailing comma."""
    one_line = f"{indent}{prefix}({', '.join(args)}){suffix}"
    if len(one_line) <= LINE_LENGTH or not args:
        return one_line + "\n"
    inner = "".join(f"{indent}    {arg},\n" for arg in args)
    return f"{indent}{prefix}(\n{inner}{indent}){suffix}\n"


def sort_imports(lines: list[str]) -> str:
    """Group and order import lines the way ruff's isort rules (I001) expect."""
    straight: dict[str, set[str]] = {}
    froms: dict[str, set[str]] = {}
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("import "):
            for module in line[len("import ") :].split(","):
                straight.setdefault(_section(module.strip()), set()).add(module.strip())
        elif line.startswith("from "):
            module, _, names = line[len("from ") :].partition(" import ")
            key = f"{_section(module.strip())}|{module.strip()}"
            froms.setdefault(key, set()).update(n.strip() for n in names.split(",") if n.strip())
        else:
            raise ValueError(f"not an import line: {line!r}")
    blocks: list[str] = []
    for section in ("0future", "1stdlib", "2third", "3local"):
        out = [f"import {m}\n" for m in sorted(straight.get(section, ()), key=str.lower)]
        modules = sorted(
            (key.split("|", 1)[1] for key in froms if key.startswith(section + "|")),
            key=lambda m: (m.lstrip("."), m),
        )
        for module in modules:
            names = sorted(froms[f"{section}|{module}"], key=_name_order)
            line = f"from {module} import {', '.join(names)}"
            if len(line) > LINE_LENGTH:
                line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
            out.append(line + "\n")
        if out:
            blocks.append("".join(out))
    return "\n".join(blocks)


def _section(module: str) -> str:
    if module == "__future__":
        return "0future"
    if module.startswith("."):
        return "3local"
    if module in STDLIB_MODULES or module.split(".")[0] in STDLIB_MODULES:
        return "1stdlib"
    return "2third"


def _name_order(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def render_field(spec: FieldSpec) -> str:
    """One pydantic field line (or exploded call) of a model class."""
    args: list[str] = []
    if not spec.required:
        if spec.default == []:
            args.append("default_factory=list")
        elif spec.default == {}:
            args.append("default_factory=dict")
        else:
            args.append(f"default={py_literal(spec.default)}")
    if spec.description:
        args.append(f"description={py_literal(safe_text(spec.description, 80))}")
    return call(f"{spec.name}: {spec.type} = Field", args, "    ")


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _model_file(class_name: str, fields: list[FieldSpec], doc: str) -> str:
    uses_any = any(re.search(r"\bAny\b", f.type) for f in fields)
    imports = ["from __future__ import annotations", "from pydantic import BaseModel, ConfigDict"]
    if fields:
        imports.append("from pydantic import Field")
    if uses_any:
        imports.append("from typing import Any")
    body = "".join(render_field(f) for f in fields)
    return (
        docstring(doc)
        + "\n"
        + sort_imports(imports)
        + "\n\n"
        + f"class {class_name}(BaseModel):\n"
        + docstring(doc, "    ")
        + "\n"
        + '    model_config = ConfigDict(extra="forbid")\n'
        + ("\n" + body if body else "")
    )


def _indent_block(code: str, indent: str) -> str:
    lines = code.strip("\n").splitlines()
    return "".join(f"{indent}{line}\n" if line.strip() else "\n" for line in lines)


def _node_file(names: NodeNames, prd: PrdAnalysis, contract: NodeContract, logic: BusinessLogic) -> str:
    code = logic.helpers + logic.init_body + logic.process_body
    imports = [
        "from __future__ import annotations",
        *(["from typing import Any"] if re.search(r"\bAny\b", code) else []),
        *logic.imports,
        f"from .{names.input_module} import {names.input_class}",
        f"from .{names.output_module} import {names.output_class}",
    ]
    recipes = ", ".join(logic.recipes) or "none"
    head = docstring(
        f"{names.kind.suffix} node {names.name}: {prd.description} "
        f"(generated by {GENERATOR_NAME} {__version__}; recipes: {recipes})."
    )
    parts = [
        head,
        "\n",
        sort_imports(imports),
        "\n",
        'ERROR_INVALID_PARAMETER = "ONEX_CORE_001_INVALID_PARAMETER"\n',
        'ERROR_OPERATION_FAILED = "ONEX_CORE_002_OPERATION_FAILED"\n',
        'ERROR_NOT_IMPLEMENTED = "ONEX_CORE_003_NOT_IMPLEMENTED"\n',
        "\n\n",
        f"class {names.error_class}(Exception):\n",
        '    """Typed node error: `code` is an ONEX error code, `message` says what went wrong."""\n',
        "\n",
        "    def __init__(self, code: str, message: str) -> None:\n",
        '        super().__init__(f"{code}: {message}")\n',
        "        self.code = code\n",
        "        self.message = message\n",
    ]
    if logic.helpers.strip():
        parts += ["\n\n", logic.helpers.strip("\n") + "\n"]
    parts += [
        "\n\n",
        f"class {names.node_class}:\n",
        docstring(f"{prd.description}", "    "),
        "\n",
        f'    node_type = "{contract.node_type}"\n',
    ]
    if logic.init_body.strip():
        parts += ["\n", logic.init_body.strip("\n") + "\n"]
    parts += [
        "\n",
        f"    async def process(self, input_data: {names.input_class}) -> {names.output_class}:\n",
        '        """Run the node on one validated input and return its output model."""\n',
        _indent_block(logic.process_body, "        "),
    ]
    return "".join(parts)


_TEST_IMPORT_USES = {
    "import asyncio": r"\basyncio\.",
    "import json": r"\bjson\.",
    "import sqlite3": r"\bsqlite3\.",
    "import httpx": r"\bhttpx\.",
    "import pytest": r"\bpytest\.",
    "from typing import Any": r"\bAny\b",
    "from pathlib import Path": r"\bPath\b",
}


def _tests_file(names: NodeNames, logic: BusinessLogic) -> str:
    generic = f'''

def test_node_declares_its_contract_kind() -> None:
    assert {names.node_class}.node_type == "{names.kind.contract_type}"


def test_models_forbid_unknown_fields() -> None:
    assert {names.input_class}.model_config.get("extra") == "forbid"
    assert {names.output_class}.model_config.get("extra") == "forbid"


def test_error_carries_an_onex_code() -> None:
    error = {names.error_class}("ONEX_CORE_001_INVALID_PARAMETER", "bad input")
    assert error.code.startswith("ONEX_CORE_")
    assert "bad input" in str(error)
'''
    body = generic + ("\n\n" + logic.test_code.strip("\n") + "\n" if logic.test_code.strip() else "")
    imports = ["from __future__ import annotations"]
    imports += [line for line, pattern in _TEST_IMPORT_USES.items() if re.search(pattern, body)]
    local = [n for n in (names.node_class, names.error_class) if re.search(rf"\b{n}\b", body)]
    imports.append(f"from ..node import {', '.join(local)}")
    for cls, module in ((names.input_class, names.input_module), (names.output_class, names.output_module)):
        if re.search(rf"\b{cls}\b", body):
            imports.append(f"from ..{module} import {cls}")
    head = docstring(
        f"Tests of {names.node_class}, generated with the node. Run from the node root folder: "
        "python -m pytest -q v1_0_0/tests -p no:cacheprovider"
    )
    return head + "\n" + sort_imports(imports) + body


def render_contract_yaml(
    contract: NodeContract,
    *,
    correlation_id: str,
    stage_models: dict[str, str],
    quality_score: float | None,
) -> str:
    data = contract.model_dump(mode="json")
    metadata = dict(data.get("metadata") or {})
    metadata.setdefault("generator", GENERATOR_NAME)
    metadata.setdefault("generator_version", __version__)
    metadata["correlation_id"] = correlation_id
    metadata["stage_models"] = {str(k): str(v) for k, v in sorted(stage_models.items())}
    metadata["quality_score"] = quality_score
    data["metadata"] = metadata
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=100)


def render_node(
    prd: PrdAnalysis,
    contract: NodeContract,
    logic: BusinessLogic,
    *,
    correlation_id: str,
    stage_models: dict[str, str],
    quality_score: float | None = None,
) -> NodeSource:
    """Render the files of the node's version folder (keys relative to it)."""
    names = node_names(contract)
    if names.kind != prd.node_kind:
        raise ValueError(f"contract kind {names.kind} differs from the PRD kind {prd.node_kind}")
    version_label = f"{names.dir_name} {contract.node_version}"
    files = {
        "__init__.py": (
            docstring(f"{version_label}: {prd.description}")
            + "\n"
            + f"from .node import {names.node_class}\n\n"
            + f'__all__ = ["{names.node_class}"]\n'
        ),
        "contract.yaml": render_contract_yaml(
            contract,
            correlation_id=correlation_id,
            stage_models=stage_models,
            quality_score=quality_score,
        ),
        "node.py": _node_file(names, prd, contract, logic),
        "models/__init__.py": (
            docstring(f"Input and output models of {names.dir_name}.")
            + "\n"
            + sort_imports(
                [
                    f"from .{names.input_file} import {names.input_class}",
                    f"from .{names.output_file} import {names.output_class}",
                ]
            )
            + "\n"
            + f'__all__ = ["{names.input_class}", "{names.output_class}"]\n'
        ),
        f"models/{names.input_file}.py": _model_file(
            names.input_class, prd.input_fields, f"Input of {names.dir_name}."
        ),
        f"models/{names.output_file}.py": _model_file(
            names.output_class, prd.output_fields, f"Output of {names.dir_name}."
        ),
        "tests/__init__.py": docstring(f"Tests of {version_label}."),
        f"tests/test_node_{names.name}.py": _tests_file(names, logic),
    }
    return NodeSource(node_dir_name=names.dir_name, version=contract.node_version, files=files)


def render_manifest(name: str, kind: str, versions: list[str], latest: str) -> str:
    """node.manifest.yaml: the node's name, kind, every version written and the latest."""
    NodeKind(kind)
    for version in [*versions, latest]:
        version_dir_name(version)
    if latest not in versions:
        raise ValueError(f"latest version {latest} is not among the versions {versions}")
    ordered = sorted(set(versions), key=lambda v: tuple(int(p) for p in v.split(".")))
    return yaml.safe_dump(
        {"name": name, "kind": kind, "versions": ordered, "latest": latest}, sort_keys=False
    )
