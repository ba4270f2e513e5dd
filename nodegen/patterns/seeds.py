"""The hand-written seed library: ONEX nodes that give the pattern store something to retrieve
before the generator has produced anything of its own. Indexed by `seed_library.yaml`."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nodegen.artifacts import NodeContract, NodeKind, recipe_tags
from nodegen.errors import StoreError
from nodegen.patterns.extract import extract_patterns
from nodegen.patterns.store import SEED_PREFIX, AddStatus, PatternRecord, PatternStore

SEED_ROOT = Path(__file__).resolve().parent.parent / "seed_library"
INDEX_FILE = "seed_library.yaml"


class SeedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    node: str = Field(pattern=r"^node_[a-z][a-z0-9_]*_(effect|compute|reducer|orchestrator)$")
    name: str
    kind: NodeKind
    domain: str
    prompt: str = Field(min_length=10)
    quality: float = Field(ge=0.0, le=1.0)
    operations: list[str] = Field(default_factory=list)
    recipes: list[str] = Field(
        default_factory=list, description="Catalogue recipes that build a node doing the same job"
    )

    @property
    def pattern_id(self) -> str:
        return f"{SEED_PREFIX}{self.node}"


class SeedIndex(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    nodes: list[SeedEntry]


class SeedLoadResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    added: list[str] = Field(default_factory=list)
    already_present: list[str] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict)


def load_seed_index(root: Path = SEED_ROOT) -> SeedIndex:
    path = root / INDEX_FILE
    try:
        return SeedIndex.model_validate(yaml.safe_load(path.read_text()))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise StoreError(f"seed library index {path} is unusable: {exc}") from exc


def version_dir(root: Path, entry: SeedEntry) -> Path:
    return root / entry.node / "v1_0_0"


def seed_record(root: Path, entry: SeedEntry) -> PatternRecord:
    """A seed node as a pattern candidate: code, contract summary and extracted facts."""
    vdir = version_dir(root, entry)
    files = {
        str(p.relative_to(vdir)): p.read_text()
        for p in sorted(vdir.rglob("*"))
        if p.is_file() and p.suffix in {".py", ".yaml"} and "__pycache__" not in p.parts
    }
    contract = NodeContract.model_validate(yaml.safe_load(files["contract.yaml"]))
    io = "; ".join(
        f"{op.operation}({', '.join(op.input_fields)} -> {', '.join(op.output_fields)})"
        for op in contract.io_operations
    )
    summary = " | ".join(
        part
        for part in (
            f"{contract.name} [{contract.node_type}]",
            contract.description,
            "capabilities: " + ", ".join(contract.capabilities),
            f"io: {io}" if io else "",
        )
        if part
    )
    extracted = extract_patterns(files)
    operations = list(
        dict.fromkeys([*recipe_tags(entry.recipes), *entry.operations, *extracted.operations])
    )
    return PatternRecord(
        correlation_id=entry.pattern_id,
        node_type=entry.kind,
        domain=entry.domain,
        node_name=entry.name,
        prompt=entry.prompt,
        contract_summary=summary,
        code=files["node.py"],
        files=files,
        operations=operations,
        dependencies=extracted.dependencies,
        error_handling=extracted.error_handling,
        quality_score=entry.quality,
        models_used={"all": "hand-written"},
    )


def load_seed_library(store: PatternStore, root: Path = SEED_ROOT) -> SeedLoadResult:
    """Add every seed node not yet in the store (idempotent: a second call adds nothing)."""
    index = load_seed_index(root)
    result = SeedLoadResult()
    present = store.existing_ids([e.pattern_id for e in index.nodes])
    for entry in index.nodes:
        if entry.pattern_id in present:
            result.already_present.append(entry.pattern_id)
            continue
        outcome = store.add(seed_record(root, entry))
        if outcome.status == AddStatus.EXISTS:
            result.already_present.append(entry.pattern_id)
        elif outcome.stored:
            result.added.append(entry.pattern_id)
        else:
            result.skipped[entry.pattern_id] = outcome.status.value
    return result
