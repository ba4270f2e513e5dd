"""Pull reusable facts out of a generated node's source with `ast`: the operations it performs,
the packages it depends on and how it handles errors. These become filterable columns of a pattern
and the "reuse recipes" recommendations of the intelligence stage."""

from __future__ import annotations

import ast
import re
import sys

from pydantic import BaseModel, ConfigDict, Field

_ERROR_CODE = re.compile(r"\bONEX_[A-Z0-9_]+\b")
# call (attribute or name) -> operation tag
_CALL_TAGS: dict[str, str] = {
    "get": "http_get",
    "post": "http_post",
    "put": "http_put",
    "delete": "http_delete",
    "patch": "http_patch",
    "request": "http_request",
    "sleep": "backoff_sleep",
    "monotonic": "clock",
    "loads": "json_parse",
    "dumps": "json_serialize",
    "sha256": "hashing",
    "md5": "hashing",
    "blake2b": "hashing",
    "hmac": "hmac_sign",
    "compile": "regex",
    "fullmatch": "regex",
    "match": "regex",
    "sub": "regex",
    "findall": "regex",
    "gather": "fan_out",
    "wait_for": "timeout",
    "sorted": "sort",
    "groupby": "group_by",
    "model_validate": "validate_model",
    "urlencode": "url_encode",
    "b64encode": "base64",
    "b64decode": "base64",
    "strptime": "parse_datetime",
    "fromisoformat": "parse_datetime",
    "reader": "csv_parse",
    "DictReader": "csv_parse",
    "heappush": "priority_queue",
    "Decimal": "decimal_math",
}


class ExtractedPatterns(BaseModel):
    """What a node's code does, as sorted unique tags."""

    model_config = ConfigDict(extra="forbid")

    operations: list[str] = Field(default_factory=list)
    dependencies: list[str] = Field(default_factory=list)
    error_handling: list[str] = Field(default_factory=list)


def _is_http_receiver(func: ast.expr) -> bool:
    """`client.get(...)`, `self._client.post(...)`, `httpx.get(...)`; not `cache.get(...)`."""
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    name = name.lower()
    return "client" in name or name in {"httpx", "http", "session"}


def _visit(tree: ast.AST, ops: set[str], deps: set[str], errors: set[str]) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                deps.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                deps.add(node.module.split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if not node.name.startswith("_") and node.name not in {"process", "main"}:
                if not node.name.startswith("test"):
                    ops.add(node.name)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            tag = _CALL_TAGS.get(name)
            if tag and tag.startswith("http_") and not _is_http_receiver(func):
                tag = None
            if tag:
                ops.add(tag)
        elif isinstance(node, ast.Try):
            for handler in node.handlers:
                if handler.type is None:
                    errors.add("except:bare")
                    continue
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                for item in types:
                    label = ast.unparse(item)
                    errors.add(f"catch:{label}")
        elif isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            errors.add(f"raise:{ast.unparse(target)}")
        elif isinstance(node, ast.For | ast.While | ast.AsyncFor):
            if any(isinstance(child, ast.Try) for child in ast.walk(node)):
                errors.add("retry_loop")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for code in _ERROR_CODE.findall(node.value):
                errors.add(f"code:{code}")
    if {"retry_loop", "backoff_sleep"} <= (ops | errors):
        ops.add("retry_with_backoff")


def extract_patterns(files: dict[str, str]) -> ExtractedPatterns:
    """Operations, dependencies and error handling found in the non-test Python files.

    Files that do not parse are skipped (the validation gates report syntax errors, not us)."""
    ops: set[str] = set()
    deps: set[str] = set()
    errors: set[str] = set()
    for path, text in files.items():
        if not path.endswith(".py") or "/tests/" in f"/{path}" or path.startswith("test"):
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        _visit(tree, ops, deps, errors)
    deps.discard("__future__")
    stdlib = set(sys.stdlib_module_names)
    third_party = sorted(d for d in deps if d not in stdlib)
    std = sorted(d for d in deps if d in stdlib)
    return ExtractedPatterns(
        operations=sorted(ops),
        dependencies=third_party + std,
        error_handling=sorted(errors),
    )
