"""Offline repair of a generated node: known recipe fixes, then `ruff check --fix` and `ruff format`.

The fixes are the ones a rule engine can make safely: class names that disagree with the contract,
missing import lines for names the code uses, and anything ruff can fix automatically.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from nodegen.artifacts import NodeContract, NodeSource
from nodegen.codegen import node_names

RUFF_TIMEOUT_S = 60

# name used in code -> the import line that provides it
KNOWN_IMPORTS: dict[str, str] = {
    "asyncio": "import asyncio",
    "json": "import json",
    "math": "import math",
    "time": "import time",
    "sqlite3": "import sqlite3",
    "httpx": "import httpx",
    "pytest": "import pytest",
    "Any": "from typing import Any",
    "Path": "from pathlib import Path",
    "Callable": "from collections.abc import Callable",
    "Awaitable": "from collections.abc import Awaitable",
    "Mapping": "from collections.abc import Mapping",
    "BaseModel": "from pydantic import BaseModel",
    "ConfigDict": "from pydantic import ConfigDict",
    "Field": "from pydantic import Field",
}


def ruff_command() -> list[str]:
    """The ruff binary installed next to this interpreter, else `python -m ruff`."""
    candidate = Path(sys.executable).with_name("ruff")
    if candidate.is_file():
        return [str(candidate)]
    return [sys.executable, "-m", "ruff"]


RUFF_RULES = ["--select", "E,F,W,I,B,UP", "--line-length", "100", "--target-version", "py311"]


def fix_class_names(files: dict[str, str], contract: NodeContract) -> tuple[dict[str, str], list[str]]:
    """Rename node/model classes that disagree with the contract, everywhere they appear."""
    names = node_names(contract)
    fixes: list[str] = []
    node_py = files.get("node.py", "")
    wanted = {
        "node.py": (r"^class (Node\w+)(?=:|\(\))", names.node_class),
        f"models/{names.input_file}.py": (r"^class (\w+)\(BaseModel\)", names.input_class),
        f"models/{names.output_file}.py": (r"^class (\w+)\(BaseModel\)", names.output_class),
    }
    renames: dict[str, str] = {}
    for path, (pattern, expected) in wanted.items():
        text = node_py if path == "node.py" else files.get(path, "")
        candidates = [
            m.group(1) for m in re.finditer(pattern, text, re.M) if not m.group(1).endswith("Error")
        ]
        if candidates and expected not in candidates:
            renames[candidates[0]] = expected
    if not renames:
        return files, fixes
    fixed = {}
    for path, text in files.items():
        for old, new in renames.items():
            text = re.sub(rf"\b{re.escape(old)}\b", new, text)
        fixed[path] = text
    fixes += [f"renamed class {old} -> {new}" for old, new in renames.items()]
    return fixed, fixes


def add_missing_imports(path: str, text: str) -> tuple[str, list[str]]:
    """Insert import lines for well-known names that the file uses but never imports."""
    if not path.endswith(".py"):
        return text, []
    code_only = re.sub(r'""".*?"""', "", text, flags=re.S)
    added: list[str] = []
    for name, line in KNOWN_IMPORTS.items():
        used = re.search(rf"(?<![\w.]){name}\b(?!\s*=)", code_only)
        if not used:
            continue
        module = line.split()[1]
        imported = re.search(rf"^\s*import {re.escape(name)}\b", text, re.M) or re.search(
            rf"^\s*from [\w.]+ import [^\n]*\b{name}\b", text, re.M
        )
        defined = re.search(rf"^(def|class|async def) {name}\b|^{name}\s*=", text, re.M)
        if not imported and not defined and module:
            added.append(line)
    if not added:
        return text, []
    lines = text.splitlines(keepends=True)
    insert_at = 0
    for index, line in enumerate(lines):
        if line.startswith("from __future__"):
            insert_at = index + 1
            break
    else:
        for index, line in enumerate(lines):
            if line.startswith(("import ", "from ")):
                insert_at = index
                break
    new_lines = lines[:insert_at] + [f"{line}\n" for line in added] + lines[insert_at:]
    return "".join(new_lines), [f"{path}: added {line!r}" for line in added]


def run_ruff(files: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """`ruff check --fix` then `ruff format` over the Python files, in a private temp dir."""
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nodegen-refine-") as tmp:
        root = Path(tmp) / "v"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        base = [*ruff_command()]
        for args in (
            ["check", "--isolated", "--fix", "--exit-zero", "--quiet", *RUFF_RULES, "."],
            ["format", "--isolated", "--line-length", "100", "--quiet", "."],
        ):
            try:
                done = subprocess.run(
                    [*base, *args],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    timeout=RUFF_TIMEOUT_S,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                notes.append(f"ruff {args[0]} could not run: {exc}")
                continue
            if done.returncode != 0:
                notes.append(f"ruff {args[0]} exited {done.returncode}: {done.stderr.strip()[:300]}")
        fixed = {rel: (root / rel).read_text(encoding="utf-8") for rel in files}
    changed = [rel for rel in files if fixed[rel] != files[rel]]
    if changed:
        notes.append(f"ruff rewrote {', '.join(sorted(changed))}")
    return fixed, notes


def refine_source(source: NodeSource, contract: NodeContract) -> tuple[NodeSource, list[str]]:
    """Apply every offline fix; returns the new source and what was changed."""
    files, notes = fix_class_names(dict(source.files), contract)
    for path in sorted(files):
        files[path], added = add_missing_imports(path, files[path])
        notes += added
    files, ruff_notes = run_ruff(files)
    notes += ruff_notes
    refined = source.model_copy(
        update={"files": files, "refinement_attempts": source.refinement_attempts + 1}
    )
    return refined, notes
