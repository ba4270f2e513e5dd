"""Validation gates. Each gate takes the node (and, for tool/sandbox gates, a materialised copy)
and returns a GateResult; weights and severities come from one table (GATES) so the quality score
is documented in one place."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from pydantic import BaseModel, ValidationError

from nodegen.artifacts import GateResult, NodeContract, NodeKind, NodeSource, Severity
from nodegen.validation.sandbox import SandboxLimits, run_in_sandbox

B, W = Severity.BLOCKING, Severity.WARNING


class GateSpec(BaseModel):
    name: str
    weight: float
    severity: Severity
    why: str


# The one table of weights (they sum to 1.0). Lint and types are warnings: style and typing
# problems do not make a node wrong, and real defects they find (undefined names, bad imports)
# also fail the blocking import/tests gates.
GATES: list[GateSpec] = [
    GateSpec(name="syntax", weight=0.10, severity=B, why="every .py compiles"),
    GateSpec(
        name="contract_schema", weight=0.10, severity=B, why="contract.yaml is a NodeContract"
    ),
    GateSpec(name="consistency", weight=0.15, severity=B, why="class/kind/models/process match"),
    GateSpec(name="naming", weight=0.05, severity=B, why="ONEX folder/file/class names"),
    GateSpec(name="kind_purity", weight=0.10, severity=B, why="no I/O in compute/reducer"),
    GateSpec(name="security", weight=0.15, severity=B, why="no eval/shell/pickle/secrets/net"),
    GateSpec(name="lint", weight=0.05, severity=W, why="ruff E,F,W,I,B,UP"),
    GateSpec(name="types", weight=0.05, severity=W, why="mypy"),
    GateSpec(name="import", weight=0.10, severity=B, why="imports and instantiates in sandbox"),
    GateSpec(name="tests", weight=0.15, severity=B, why="generated tests pass in sandbox"),
]
SPEC = {g.name: g for g in GATES}
FAILED_BLOCKING_CAP = 0.6

REQUIRED_TEMPLATE = (
    "__init__.py",
    "contract.yaml",
    "node.py",
    "models/__init__.py",
    "models/model_{name}_input.py",
    "models/model_{name}_output.py",
    "tests/__init__.py",
    "tests/test_node_{name}.py",
)
DIR_RE = re.compile(r"^node_([a-z][a-z0-9_]*)_(effect|compute|reducer|orchestrator)$")
SNAKE_FILE_RE = re.compile(r"^[a-z_][a-z0-9_]*\.py$")


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part)


def version_dir(version: str) -> str:
    return "v" + version.replace(".", "_")


@dataclass
class NodeView:
    """Parsed view of a NodeSource shared by the static gates (parse once)."""

    source: NodeSource
    name: str | None
    kind: NodeKind | None
    trees: dict[str, ast.Module] = field(default_factory=dict)
    syntax_errors: dict[str, str] = field(default_factory=dict)
    contract: NodeContract | None = None
    contract_error: str | None = None

    @classmethod
    def build(cls, source: NodeSource) -> NodeView:
        m = DIR_RE.match(source.node_dir_name)
        view = cls(
            source=source, name=m.group(1) if m else None, kind=NodeKind(m.group(2)) if m else None
        )
        for path, text in source.files.items():
            if path.endswith(".py"):
                try:
                    view.trees[path] = ast.parse(text, filename=path)
                    compile(view.trees[path], path, "exec")
                except (SyntaxError, ValueError) as exc:
                    view.trees.pop(path, None)
                    view.syntax_errors[path] = f"{type(exc).__name__}: {exc}"
        raw = source.files.get("contract.yaml")
        if raw is None:
            view.contract_error = "contract.yaml is missing"
        else:
            try:
                data = yaml.safe_load(raw)
                if not isinstance(data, dict):
                    raise ValueError("contract.yaml is not a mapping")
                view.contract = NodeContract.model_validate(data)
            except (yaml.YAMLError, ValueError, ValidationError) as exc:
                view.contract_error = str(exc)
        if view.contract is not None:
            # Kind comes from the contract's node_type (DESIGN.md).
            view.kind = NodeKind(view.contract.node_type.split("_")[0].lower())
            cm = DIR_RE.match(view.contract.name)
            if cm:
                view.name = cm.group(1)
        return view

    def code_trees(self, include_tests: bool = True) -> Iterator[tuple[str, ast.Module]]:
        for path, tree in self.trees.items():
            if include_tests or not path.startswith("tests/"):
                yield path, tree


def _result(
    name: str,
    findings: list[str],
    started: float,
    score: float | None = None,
    passed: bool | None = None,
) -> GateResult:
    spec = SPEC[name]
    ok = (not findings) if passed is None else passed
    if score is None:
        score = 1.0 if ok else max(0.0, 0.5 - 0.1 * (len(findings) - 1))
    return GateResult(
        gate=name,
        passed=ok,
        severity=spec.severity,
        weight=spec.weight,
        score=round(min(1.0, max(0.0, score)), 4),
        findings=findings[:50],
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )


# ---------------------------------------------------------------- static gates


def gate_syntax(view: NodeView) -> GateResult:
    t = time.perf_counter()
    py = [p for p in view.source.files if p.endswith(".py")]
    findings = [f"{p}: {e}" for p, e in sorted(view.syntax_errors.items())]
    if not py:
        findings.append("no .py files")
    score = (len(py) - len(view.syntax_errors)) / len(py) if py else 0.0
    return _result("syntax", findings, t, score=score if findings else 1.0)


def gate_contract_schema(view: NodeView) -> GateResult:
    t = time.perf_counter()
    findings = [] if view.contract else [f"contract.yaml invalid: {view.contract_error}"]
    return _result("contract_schema", findings, t)


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


def _module_file(module: str, files: dict[str, str]) -> str | None:
    """Resolve a contract module reference ('models.model_x_input', dotted or relative, possibly
    package-qualified) to a file of the version folder by its longest matching suffix."""
    parts = [p for p in module.strip(".").split(".") if p]
    for i in range(len(parts)):
        rel = "/".join(parts[i:]) + ".py"
        if rel in files:
            return rel
    return None


def _ann_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.split(".")[-1]
    return None


def gate_consistency(view: NodeView) -> GateResult:
    t = time.perf_counter()
    c, files, f = view.contract, view.source.files, []
    if c is None or view.kind is None or view.name is None:
        return _result("consistency", ["cannot check: contract.yaml invalid or missing"], t)
    if c.name != view.source.node_dir_name:
        f.append(f"contract name {c.name!r} != folder {view.source.node_dir_name!r}")
    dm = DIR_RE.match(view.source.node_dir_name)
    if dm and dm.group(2) != view.kind.value:
        f.append(f"node_type {c.node_type} does not match folder kind {dm.group(2)!r}")
    if c.node_version != view.source.version:
        f.append(f"node_version {c.node_version} != source version {view.source.version}")
    expected_cls = f"Node{pascal(view.name)}{view.kind.suffix}"
    for role, ref in (("input", c.input_model), ("output", c.output_model)):
        rel = _module_file(ref.module, files)
        if rel is None:
            f.append(f"{role}_model module {ref.module!r} has no file in the node")
        elif rel in view.trees and ref.name not in _classes(view.trees[rel]):
            f.append(f"{role}_model class {ref.name!r} not defined in {rel}")
    node_tree = view.trees.get("node.py")
    if node_tree is None:
        f.append("node.py missing or unparsable")
        return _result("consistency", f, t)
    classes = _classes(node_tree)
    cls = classes.get(expected_cls)
    if cls is None:
        f.append(f"node.py defines no class {expected_cls} (has: {sorted(classes) or 'none'})")
        return _result("consistency", f, t)
    imported = {
        a.asname or a.name
        for n in ast.walk(node_tree)
        if isinstance(n, ast.ImportFrom)
        for a in n.names
    }
    for ref in (c.input_model, c.output_model):
        if ref.name not in imported and ref.name not in classes:
            f.append(f"node.py does not import {ref.name}")
    proc = next(
        (
            n
            for n in cls.body
            if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef) and n.name == "process"
        ),
        None,
    )
    if proc is None:
        f.append(f"{expected_cls} has no process method")
    else:
        if not isinstance(proc, ast.AsyncFunctionDef):
            f.append("process must be `async def`")
        args = [a.arg for a in proc.args.posonlyargs + proc.args.args]
        if args != ["self", "input_data"]:
            f.append(f"process arguments are {args}, expected ['self', 'input_data']")
        elif _ann_name(proc.args.args[-1].annotation) != c.input_model.name:
            f.append(f"process input_data must be annotated {c.input_model.name}")
        if _ann_name(proc.returns) != c.output_model.name:
            f.append(f"process must return {c.output_model.name}")
    return _result("consistency", f, t)


def gate_naming(view: NodeView) -> GateResult:
    t = time.perf_counter()
    f, files = [], view.source.files
    m = DIR_RE.match(view.source.node_dir_name)
    if not m:
        f.append(f"folder {view.source.node_dir_name!r} is not node_<snake_name>_<kind>")
        return _result("naming", f, t)
    name = m.group(1)
    for tpl in REQUIRED_TEMPLATE:
        rel = tpl.format(name=name)
        if rel not in files:
            f.append(f"missing {rel}")
    for rel in files:
        p = PurePosixPath(rel)
        if p.is_absolute() or ".." in p.parts:
            f.append(f"path escapes the node folder: {rel}")
        elif p.suffix == ".py" and not SNAKE_FILE_RE.match(p.name):
            f.append(f"file name not snake_case: {rel}")
        elif p.name.startswith("model_") and p.parent.name != "models":
            f.append(f"model file outside models/: {rel}")
    for role in ("input", "output"):
        rel = f"models/model_{name}_{role}.py"
        want = f"Model{pascal(name)}{role.capitalize()}"
        if rel in view.trees and want not in _classes(view.trees[rel]):
            f.append(f"{rel} must define class {want}")
    for rel, tree in view.code_trees(include_tests=False):
        for cls in _classes(tree).values():
            if not re.match(r"^_?[A-Z][A-Za-z0-9]*$", cls.name):
                f.append(f"{rel}: class {cls.name} is not PascalCase")
    return _result("naming", f, t)


IO_MODULES = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "urllib3",
    "httpx",
    "requests",
    "aiohttp",
    "ftplib",
    "smtplib",
    "telnetlib",
    "sqlite3",
    "psycopg2",
    "psycopg",
    "sqlalchemy",
    "subprocess",
    "shutil",
    "tempfile",
    "glob",
    "fileinput",
    "mmap",
    "asyncpg",
    "redis",
    "pymongo",
    "websockets",
}
NETWORK_MODULES = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "urllib3",
    "httpx",
    "requests",
    "aiohttp",
    "ftplib",
    "smtplib",
    "telnetlib",
    "websockets",
}
OS_IO_ATTRS = {
    "environ",
    "getenv",
    "putenv",
    "system",
    "popen",
    "remove",
    "unlink",
    "rmdir",
    "mkdir",
    "makedirs",
    "listdir",
    "scandir",
    "walk",
    "open",
    "read",
    "write",
    "rename",
    "replace",
    "fork",
    "kill",
    "chdir",
    "chmod",
    "chown",
    "startfile",
    "truncate",
}
PATH_IO_METHODS = {
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "touch",
    "unlink",
    "mkdir",
    "rmdir",
    "iterdir",
    "open",
}
IO_BUILTINS = {"open", "input"}


def _imports(tree: ast.AST) -> Iterator[tuple[ast.AST, str, list[str]]]:
    """(node, module, imported names) for every import."""
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            for a in n.names:
                yield n, a.name, []
        elif isinstance(n, ast.ImportFrom) and n.level == 0 and n.module:
            yield n, n.module, [a.name for a in n.names]


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def purity_findings(view: NodeView) -> list[str]:
    f = []
    for rel, tree in view.code_trees(include_tests=False):
        for n, mod, names in _imports(tree):
            root = mod.split(".")[0]
            if root in IO_MODULES:
                f.append(f"{rel}:{n.lineno}: imports I/O module {mod}")
            if root == "os" and set(names) & OS_IO_ATTRS:
                f.append(f"{rel}:{n.lineno}: imports os I/O {sorted(set(names) & OS_IO_ATTRS)}")
            if mod == "asyncio" and {"open_connection", "start_server"} & set(names):
                f.append(f"{rel}:{n.lineno}: imports asyncio networking")
        for n in ast.walk(tree):
            if isinstance(n, ast.Attribute):
                d = _dotted(n)
                if d.startswith("os.") and d.split(".")[1] in OS_IO_ATTRS:
                    f.append(f"{rel}:{n.lineno}: uses {d}")
                elif d.startswith("asyncio.") and d.split(".")[1] in {
                    "open_connection",
                    "start_server",
                    "create_subprocess_exec",
                    "create_subprocess_shell",
                    "open_unix_connection",
                }:
                    f.append(f"{rel}:{n.lineno}: uses {d}")
            if isinstance(n, ast.Call):
                if isinstance(n.func, ast.Name) and n.func.id in IO_BUILTINS:
                    f.append(f"{rel}:{n.lineno}: calls {n.func.id}()")
                elif isinstance(n.func, ast.Attribute) and n.func.attr in PATH_IO_METHODS:
                    f.append(f"{rel}:{n.lineno}: calls .{n.func.attr}() (file I/O)")
    return sorted(set(f))


def gate_kind_purity(view: NodeView) -> GateResult:
    t = time.perf_counter()
    if view.kind not in (NodeKind.COMPUTE, NodeKind.REDUCER):
        return _result("kind_purity", [], t)
    return _result("kind_purity", purity_findings(view), t)


DANGEROUS_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint", "globals"}
DANGEROUS_MODULES = {
    "importlib",
    "pickle",
    "cPickle",
    "marshal",
    "shelve",
    "dill",
    "ctypes",
    "subprocess",
    "pty",
    "multiprocessing",
    "code",
    "codeop",
    "runpy",
}
DANGEROUS_ATTRS = {
    "os.system",
    "os.popen",
    "os.execv",
    "os.execve",
    "os.execl",
    "os.execvp",
    "os.execlp",
    "os.spawnv",
    "os.spawnl",
    "os.spawnve",
    "os.posix_spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "os.setuid",
    "os.dup2",
}
SECRET_PATTERNS = [
    (re.compile(r"sk-ant-[A-Za-z0-9_\-]{10,}"), "Anthropic API key"),
    (re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9]{20,}"), "OpenAI-style API key"),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "AWS access key id"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), "GitHub token"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "Slack token"),
    (re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"), "private key"),
    (
        re.compile(
            r"""(?i)\b(?:api[_-]?key|apikey|secret(?:[_-]?key)?|password|passwd|access[_-]?token|auth[_-]?token|private[_-]?key)\b["']?\s*[:=]\s*["']([^"'\s]{8,})["']"""
        ),
        "hard-coded credential",
    ),
]
PLACEHOLDER_RE = re.compile(
    r"(?i)^(?:\$\{.*\}|<.*>|x+|\*+|changeme|change_me|your[_-].*|example.*|dummy.*|test.*|fake.*)$"
)


# The credentials nodegen itself holds: generated code has no business naming them.
NODEGEN_SECRET_ENV = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"}


def _module_aliases(tree: ast.AST) -> dict[str, str]:
    """`import os as o` -> {"o": "os"}, so an alias cannot hide `os.system`."""
    return {
        a.asname: a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import)
        for a in n.names
        if a.asname
    }


def _dynamic_os_access(n: ast.Call, aliases: dict[str, str]) -> bool:
    """getattr(os, <computed name>) or getattr(os, "system"): a shell call the AST cannot see."""
    if not (isinstance(n.func, ast.Name) and n.func.id == "getattr" and len(n.args) > 1):
        return False
    target = n.args[0]
    if not (isinstance(target, ast.Name) and aliases.get(target.id, target.id) == "os"):
        return False
    name = n.args[1]
    return not isinstance(name, ast.Constant) or f"os.{name.value}" in DANGEROUS_ATTRS


def security_findings(view: NodeView) -> list[str]:
    f = []
    for rel, tree in view.code_trees(include_tests=True):
        aliases = _module_aliases(tree)
        for n, mod, names in _imports(tree):
            root = mod.split(".")[0]
            if root in DANGEROUS_MODULES:
                f.append(f"{rel}:{n.lineno}: imports {mod}")
            if root == "os" and {"system", "popen", "fork", "execv", "execve", "kill"} & set(names):
                f.append(f"{rel}:{n.lineno}: imports shell/process functions from os")
            if root in NETWORK_MODULES and view.kind != NodeKind.EFFECT:
                f.append(f"{rel}:{n.lineno}: network module {mod} outside an effect node")
        for n in ast.walk(tree):
            if isinstance(n, ast.Call):
                if isinstance(n.func, ast.Name) and n.func.id in DANGEROUS_CALLS:
                    f.append(f"{rel}:{n.lineno}: calls {n.func.id}()")
                d = _dotted(n.func)
                root, _, rest = d.partition(".")
                if root in aliases and rest:
                    d = f"{aliases[root]}.{rest}"
                if d in DANGEROUS_ATTRS or d in {"builtins.eval", "builtins.exec"}:
                    f.append(f"{rel}:{n.lineno}: calls {d}()")
                if _dynamic_os_access(n, aliases):
                    f.append(f"{rel}:{n.lineno}: dynamic attribute access on os")
                if (
                    d in {"getattr", "setattr"}
                    and len(n.args) > 1
                    and isinstance(n.args[1], ast.Constant)
                    and str(n.args[1].value).startswith("__")
                ):
                    f.append(f"{rel}:{n.lineno}: {d} on dunder {n.args[1].value!r}")
            elif isinstance(n, ast.Attribute) and n.attr in {
                "__subclasses__",
                "__globals__",
                "__builtins__",
                "__code__",
            }:
                f.append(f"{rel}:{n.lineno}: touches {n.attr}")
            elif isinstance(n, ast.Constant) and n.value in NODEGEN_SECRET_ENV:
                f.append(f"{rel}:{n.lineno}: names nodegen's credential {n.value}")
    for rel, text in view.source.files.items():
        for lineno, line in enumerate(text.splitlines(), 1):
            for pat, what in SECRET_PATTERNS:
                for m in pat.finditer(line):
                    value = m.group(1) if m.groups() else m.group(0)
                    if pat.groups and PLACEHOLDER_RE.match(value):
                        continue
                    f.append(f"{rel}:{lineno}: {what}")
    return sorted(set(f))


def gate_security(view: NodeView) -> GateResult:
    t = time.perf_counter()
    return _result("security", security_findings(view), t)


# ---------------------------------------------------------------- tool gates (subprocess)


def _tool_env() -> dict[str, str]:
    """Static tools do not execute node code, but still get no secrets."""
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "HOME", "TMPDIR")}
    keep["PATH"] = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    return keep


def _ruff_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "ruff"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ruff"]


def gate_lint(version_root: Path, timeout_s: float = 30) -> GateResult:
    t = time.perf_counter()
    cmd = [
        *_ruff_cmd(),
        "check",
        "--isolated",
        "--no-cache",
        "--select",
        "E,F,W,I,B,UP",
        "--line-length",
        "100",
        "--target-version",
        "py311",
        "--output-format",
        "json",
        ".",
    ]
    try:
        proc = subprocess.run(
            cmd,
            cwd=version_root,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=_tool_env(),
        )
        items = json.loads(proc.stdout or "[]")
    except (subprocess.TimeoutExpired, json.JSONDecodeError, OSError) as exc:
        return _result("lint", [f"ruff did not run: {exc}"], t, score=0.0)
    f = [
        f"{Path(i['filename']).relative_to(version_root)}:{i['location']['row']}: "
        f"{i['code']} {i['message']}"
        for i in items
    ]
    return _result("lint", f, t, score=max(0.0, 1.0 - 0.1 * len(f)))


MYPY_CACHE = Path(tempfile.gettempdir()) / "nodegen-mypy-cache"


def gate_types(node_root: Path, vdir: str, timeout_s: float = 20) -> GateResult:
    """mypy over the version package; a shared cache keeps repeat runs ~1 s. Skips (passes with a
    finding) when mypy is slower than timeout_s, since types are a warning gate."""
    t = time.perf_counter()
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--ignore-missing-imports",
        "--no-error-summary",
        "--hide-error-context",
        "--no-color-output",
        "--show-error-codes",
        "--cache-dir",
        str(MYPY_CACHE),
        "--python-version",
        "3.11",
        "--explicit-package-bases",
        "-p",
        vdir,
    ]
    try:
        proc = subprocess.run(
            cmd, cwd=node_root, capture_output=True, text=True, timeout=timeout_s, env=_tool_env()
        )
    except subprocess.TimeoutExpired:
        return _result(
            "types", [f"mypy skipped: slower than {timeout_s}s"], t, score=1.0, passed=True
        )
    except OSError as exc:
        return _result("types", [f"mypy skipped: {exc}"], t, score=1.0, passed=True)
    errors = [ln for ln in proc.stdout.splitlines() if ": error:" in ln]
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not errors):
        return _result(
            "types", [f"mypy crashed: {proc.stderr.strip()[-300:]}"], t, score=1.0, passed=True
        )
    return _result("types", errors, t, score=max(0.0, 1.0 - 0.1 * len(errors)))


# ---------------------------------------------------------------- sandbox gates

IMPORT_CHECK = r"""
import asyncio, importlib, inspect, json, sys
sys.path.insert(0, ".")
vdir, cls_name, inp, inp_mod, out, out_mod = sys.argv[1:7]
problems = []
node = importlib.import_module(vdir + ".node")
cls = getattr(node, cls_name, None)
if cls is None:
    problems.append(f"{vdir}.node has no {cls_name}")
else:
    obj = cls()
    if not inspect.iscoroutinefunction(getattr(obj, "process", None)):
        problems.append("process is not a coroutine function")
for name, mod in ((inp, inp_mod), (out, out_mod)):
    model = getattr(importlib.import_module(vdir + "." + mod), name, None)
    if model is None or not hasattr(model, "model_json_schema"):
        problems.append(f"{mod}.{name} is not a pydantic model")
    else:
        model.model_json_schema()
print(json.dumps({"problems": problems}))
"""


def _tail(text: str, n: int = 1500) -> str:
    return text.strip()[-n:]


def _killed_finding(res) -> list[str]:
    return (
        [f"sandbox killed the run: {res.killed_by} after {res.duration_ms:.0f} ms"]
        if res.killed_by
        else []
    )


def gate_import(view: NodeView, node_root: Path, vdir: str, limits: SandboxLimits) -> GateResult:
    t = time.perf_counter()
    c = view.contract
    if c is None or view.name is None or view.kind is None:
        return _result("import", ["not run: contract.yaml invalid"], t)
    mods = [_module_file(r.module, view.source.files) for r in (c.input_model, c.output_model)]
    if None in mods:
        return _result("import", ["not run: model modules not found"], t)
    args = [
        vdir,
        f"Node{pascal(view.name)}{view.kind.suffix}",
        c.input_model.name,
        mods[0][:-3].replace("/", "."),
        c.output_model.name,
        mods[1][:-3].replace("/", "."),
    ]
    res = run_in_sandbox([sys.executable, "-c", IMPORT_CHECK, *args], node_root, limits)
    f = _killed_finding(res)
    if not f and res.returncode != 0:
        f.append(f"import/instantiate failed (rc={res.returncode}): {_tail(res.stderr)}")
    elif not f:
        try:
            f = json.loads(res.stdout.strip().splitlines()[-1])["problems"]
        except (json.JSONDecodeError, IndexError, KeyError):
            f = [f"unexpected import check output: {_tail(res.stdout, 300)}"]
    return _result("import", f, t)


SUMMARY_RE = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def gate_tests(node_root: Path, vdir: str, limits: SandboxLimits) -> GateResult:
    t = time.perf_counter()
    res = run_in_sandbox(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--rootdir",
            ".",
            "-c",
            "pytest.ini",
            f"{vdir}/tests",
        ],
        node_root,
        limits,
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    counts: dict[str, int] = {}
    for n, kind in SUMMARY_RE.findall(res.stdout[-2000:]):
        key = "errors" if kind.startswith("error") else kind
        counts[key] = counts.get(key, 0) + int(n)
    passed, bad = counts.get("passed", 0), counts.get("failed", 0) + counts.get("errors", 0)
    f = _killed_finding(res)
    if res.returncode == 5 or (passed + bad == 0 and not f):
        f.append("no tests collected")
    elif res.returncode != 0 and not f:
        f.append(f"pytest rc={res.returncode}: {passed} passed, {bad} failed: {_tail(res.stdout)}")
    score = passed / (passed + bad) if passed + bad else 0.0
    return _result("tests", f, t, score=1.0 if not f else min(score, 0.5))


GateFn = Callable[[NodeView], GateResult]
STATIC_GATES: list[GateFn] = [
    gate_syntax,
    gate_contract_schema,
    gate_consistency,
    gate_naming,
    gate_kind_purity,
    gate_security,
]
