"""What each stage produces. Every stage output is a pydantic model so it can cross process,
asset and provider boundaries as JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class NodeKind(StrEnum):
    EFFECT = "effect"
    COMPUTE = "compute"
    REDUCER = "reducer"
    ORCHESTRATOR = "orchestrator"

    @property
    def suffix(self) -> str:
        """Class-name suffix: NodeFooEffect."""
        return self.value.capitalize()

    @property
    def contract_type(self) -> str:
        return f"{self.value.upper()}_GENERIC"


class FieldSpec(BaseModel):
    """One field of the node's input or output model."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: str = Field(description="Python annotation, e.g. 'str', 'list[dict[str, Any]]'")
    description: str = ""
    required: bool = True
    default: Any = None


class PrdAnalysis(BaseModel):
    """Stage 1: what the user asked for, in structured form."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$")
    node_kind: NodeKind
    domain: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    operations: list[str] = Field(
        default_factory=list, description="Recipe ids from the offline catalogue, or free-form verbs"
    )
    input_fields: list[FieldSpec] = Field(default_factory=list)
    output_fields: list[FieldSpec] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Numbers and names found in the prompt (ttl, url, table...)"
    )
    in_catalogue: bool = Field(
        default=True, description="False when no known recipe covers the request"
    )


class IntelligenceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    correlation_id: str
    prompt: str
    node_kind: NodeKind
    domain: str | None = None
    top_k: int = 5
    min_quality: float = 0.9


RECIPE_TAG = "recipe:"


def recipe_tags(recipe_ids: list[str]) -> list[str]:
    """Operation tags that say which catalogue recipes built a node (stored with its pattern)."""
    return [f"{RECIPE_TAG}{recipe_id}" for recipe_id in recipe_ids]


class PatternHit(BaseModel):
    """A successful earlier generation retrieved from the pattern library."""

    model_config = ConfigDict(extra="forbid")

    pattern_id: str
    node_name: str
    node_kind: NodeKind
    domain: str
    similarity: float
    quality_score: float
    operations: list[str] = Field(default_factory=list)
    dependencies: list[str] = Field(default_factory=list)
    code_excerpt: str = ""

    @property
    def recipe_ids(self) -> list[str]:
        """The catalogue recipes that built this pattern (empty for nodes no recipe describes)."""
        return [op.removeprefix(RECIPE_TAG) for op in self.operations if op.startswith(RECIPE_TAG)]


class IntelligenceResponse(BaseModel):
    """Stage 2: retrieved patterns and what they recommend."""

    model_config = ConfigDict(extra="forbid")

    correlation_id: str
    patterns_found: list[PatternHit] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    confidence: float = 0.0
    sources: list[str] = Field(default_factory=list)


class ContractVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    major: int = 1
    minor: int = 0
    patch: int = 0


class ModelRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    module: str


class RetryPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_attempts: int = 3
    backoff_seconds: float = 0.5
    retry_on: list[str] = Field(default_factory=list)


class ErrorHandling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)
    error_codes: list[str] = Field(default_factory=lambda: ["ONEX_CORE_001_INVALID_PARAMETER"])


class IoOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: str
    input_fields: list[str] = Field(default_factory=list)
    output_fields: list[str] = Field(default_factory=list)
    idempotent: bool = True
    timeout_ms: int = 10_000


class NodeContract(BaseModel):
    """Stage 3: the contract.yaml of the node (DESIGN.md, The output)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^node_[a-z][a-z0-9_]*_(effect|compute|reducer|orchestrator)$")
    node_type: str = Field(pattern=r"^(EFFECT|COMPUTE|REDUCER|ORCHESTRATOR)_GENERIC$")
    contract_version: ContractVersion = Field(default_factory=ContractVersion)
    node_version: str = Field(default="1.0.0", pattern=r"^\d+\.\d+\.\d+$")
    description: str
    input_model: ModelRef
    output_model: ModelRef
    capabilities: list[str] = Field(default_factory=list)
    dependencies: list[str] = Field(default_factory=list)
    error_handling: ErrorHandling = Field(default_factory=ErrorHandling)
    io_operations: list[IoOperation] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class BusinessLogic(BaseModel):
    """Stage 4: the node's behaviour as code fragments that code generation assembles."""

    model_config = ConfigDict(extra="forbid")

    imports: list[str] = Field(default_factory=list, description="Import lines for node.py")
    helpers: str = Field(default="", description="Module-level helper code for node.py")
    init_body: str = Field(default="", description="Body of __init__ after defaults are set")
    process_body: str = Field(description="Body of async process(self, input_data)")
    test_code: str = Field(default="", description="Extra pytest functions for the node's tests")
    implemented: bool = True
    recipes: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class NodeSource(BaseModel):
    """Stage 5/7: the complete node as relative path -> file text (inside the version folder)."""

    model_config = ConfigDict(extra="forbid")

    node_dir_name: str = Field(description="node_<name>_<kind>")
    version: str = "1.0.0"
    files: dict[str, str]
    refinement_attempts: int = 0


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


class GateResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gate: str
    passed: bool
    severity: Severity
    score: float = Field(ge=0.0, le=1.0)
    weight: float = 1.0
    findings: list[str] = Field(default_factory=list)
    duration_ms: float = 0.0


class ValidationReport(BaseModel):
    """Stage 6: the gate table, the weighted quality score and success."""

    model_config = ConfigDict(extra="forbid")

    gates: list[GateResult]
    quality_score: float = Field(ge=0.0, le=1.0)
    success: bool
    isolation: str = Field(default="", description="Which sandbox isolation was in force")

    @property
    def blocking_failures(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed and g.severity == Severity.BLOCKING]


class WrittenNode(BaseModel):
    """Stage 8: where the node landed."""

    model_config = ConfigDict(extra="forbid")

    node_root: str
    version_dir: str
    version: str
    files: list[str]
