"""`LLMStageModel`: the LLM-capable stages over any `LanguageModel`.

Each stage renders its template from nodegen/prompts (static system part with the JSON schema of
the expected pydantic model; dynamic user part), calls the model once and parses the reply
strictly with `model_validate_json`, after pulling the first balanced JSON object out of code
fences or chatter. Unusable output raises ModelCallError(retryable=True) carrying the Usage of the
call, so the pipeline records the failed call with its real tokens and cost, then falls back.
"""

from __future__ import annotations

import ast
import json
import textwrap
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nodegen.artifacts import (
    BusinessLogic,
    IntelligenceResponse,
    NodeContract,
    NodeSource,
    PatternHit,
    PrdAnalysis,
    ValidationReport,
)
from nodegen.errors import ModelCallError
from nodegen.prompts import render_system, render_user
from nodegen.providers.base import Completion, LanguageModel, StageOutcome, Usage
from nodegen.request import NodeRequest
from nodegen.stages import Stage

M = TypeVar("M", bound=BaseModel)

# Output budget per stage; capped by the model's own max_tokens from the catalogue.
STAGE_MAX_TOKENS: dict[Stage, int] = {
    Stage.PRD_ANALYSIS: 2048,
    Stage.CONTRACT: 2048,
    Stage.BUSINESS_LOGIC: 4096,
    Stage.REFINEMENT: 8192,
}
MAX_PATTERNS = 5
MAX_JSON_CANDIDATES = 64
_EDITABLE_SUFFIXES = (".py", ".yaml", ".yml", ".md", ".txt")


class RefinedFiles(BaseModel):
    """What the refinement stage asks the model for: new text of the files it changes."""

    model_config = ConfigDict(extra="forbid")

    files: dict[str, str] = Field(
        min_length=1, description="Path relative to the version folder -> the complete new file text"
    )
    notes: list[str] = Field(default_factory=list, description="What was changed and why")


def pascal_case(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part)


def iter_json_objects(text: str) -> Iterator[str]:
    """Balanced `{...}` substrings in order of their start, string- and escape-aware."""
    start = text.find("{")
    tried = 0
    while start != -1 and tried < MAX_JSON_CANDIDATES:
        tried += 1
        depth = 0
        in_string = False
        escaped = False
        for index in range(start, len(text)):
            char = text[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    yield text[start : index + 1]
                    break
        start = text.find("{", start + 1)


def extract_json_object(text: str) -> str:
    """The first balanced substring that is valid JSON; ValueError when there is none."""
    for candidate in iter_json_objects(text):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return candidate
    raise ValueError("no JSON object in the reply")


def parse_reply(text: str, model: type[M]) -> M:
    """Strict parse of a model reply into `model`; ValueError with a short reason otherwise."""
    raw = extract_json_object(text)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise ValueError(f"reply does not match {model.__name__}: {problems}") from exc


def _schema(model: type[BaseModel]) -> str:
    return json.dumps(model.model_json_schema(), indent=1, sort_keys=True)


class LLMStageModel:
    """A `StageModel` over a `LanguageModel`."""

    def __init__(
        self,
        lm: LanguageModel,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> None:
        self.lm = lm
        self.name = lm.name
        self.provider = lm.provider
        spec = getattr(lm, "spec", None)
        self._max_tokens = max_tokens or getattr(spec, "max_tokens", None) or 4096
        self._temperature = (
            temperature if temperature is not None else float(getattr(spec, "temperature", 0.0))
        )
        self._systems: dict[Stage, str] = {}

    def __repr__(self) -> str:
        return f"LLMStageModel({self.lm!r})"

    # -- plumbing ---------------------------------------------------------------------------

    def system_prompt(self, stage: Stage) -> str:
        """Rendered once per stage and reused, so the provider's prompt cache hits."""
        if stage not in self._systems:
            schema_model: type[BaseModel] = {
                Stage.PRD_ANALYSIS: PrdAnalysis,
                Stage.CONTRACT: NodeContract,
                Stage.BUSINESS_LOGIC: BusinessLogic,
                Stage.REFINEMENT: RefinedFiles,
            }[stage]
            self._systems[stage] = render_system(stage, schema=_schema(schema_model))
        return self._systems[stage]

    def _call(self, stage: Stage, user: str) -> Completion:
        return self.lm.complete(
            system=self.system_prompt(stage),
            prompt=user,
            max_tokens=min(STAGE_MAX_TOKENS[stage], self._max_tokens),
            temperature=self._temperature,
        )

    def _parse(self, stage: Stage, completion: Completion, model: type[M]) -> M:
        try:
            return parse_reply(completion.text, model)
        except ValueError as exc:
            raise self._unusable(stage, completion.usage, str(exc)) from exc

    def _unusable(self, stage: Stage, usage: Usage, reason: str) -> ModelCallError:
        return ModelCallError(
            f"{self.name}: unusable {stage.value} output: {reason}", retryable=True, usage=usage
        )

    def _outcome(self, output: Any, completion: Completion, patterns: list[PatternHit]) -> StageOutcome[Any]:
        return StageOutcome(
            output=output,
            model=self.name,
            provider=self.provider,
            usage=completion.usage,
            patterns_used=[p.pattern_id for p in patterns],
        )

    @staticmethod
    def _patterns(intelligence: IntelligenceResponse | None) -> tuple[list[PatternHit], list[str]]:
        if intelligence is None:
            return [], []
        return list(intelligence.patterns_found[:MAX_PATTERNS]), list(intelligence.recommendations)

    # -- stages -----------------------------------------------------------------------------

    def analyse_prd(
        self, request: NodeRequest, intelligence: IntelligenceResponse | None
    ) -> StageOutcome[PrdAnalysis]:
        patterns, recommendations = self._patterns(intelligence)
        user = render_user(
            Stage.PRD_ANALYSIS, request=request, patterns=patterns, recommendations=recommendations
        )
        completion = self._call(Stage.PRD_ANALYSIS, user)
        prd = self._parse(Stage.PRD_ANALYSIS, completion, PrdAnalysis)
        # What the request states explicitly wins over what the model inferred.
        explicit = {
            key: value
            for key, value in (
                ("name", request.name),
                ("node_kind", request.node_type),
                ("domain", request.domain),
            )
            if value is not None
        }
        if explicit:
            prd = PrdAnalysis.model_validate({**prd.model_dump(), **explicit})
        return self._outcome(prd, completion, patterns)

    def build_contract(
        self, request: NodeRequest, prd: PrdAnalysis, intelligence: IntelligenceResponse
    ) -> StageOutcome[NodeContract]:
        patterns, recommendations = self._patterns(intelligence)
        user = render_user(
            Stage.CONTRACT,
            request=request,
            prd_json=prd.model_dump_json(indent=1),
            patterns=patterns,
            recommendations=recommendations,
        )
        completion = self._call(Stage.CONTRACT, user)
        contract = self._parse(Stage.CONTRACT, completion, NodeContract)
        expected_name = f"node_{prd.name}_{prd.node_kind.value}"
        if contract.name != expected_name or contract.node_type != prd.node_kind.contract_type:
            raise self._unusable(
                Stage.CONTRACT,
                completion.usage,
                f"contract is {contract.name}/{contract.node_type}, expected "
                f"{expected_name}/{prd.node_kind.contract_type}",
            )
        return self._outcome(contract, completion, patterns)

    def write_business_logic(
        self,
        request: NodeRequest,
        prd: PrdAnalysis,
        contract: NodeContract,
        intelligence: IntelligenceResponse,
    ) -> StageOutcome[BusinessLogic]:
        patterns, recommendations = self._patterns(intelligence)
        pascal = pascal_case(prd.name)
        user = render_user(
            Stage.BUSINESS_LOGIC,
            request=request,
            prd_json=prd.model_dump_json(indent=1),
            contract_json=contract.model_dump_json(indent=1),
            node_class=f"Node{pascal}{prd.node_kind.suffix}",
            input_class=f"Model{pascal}Input",
            output_class=f"Model{pascal}Output",
            patterns=patterns,
            recommendations=recommendations,
            with_code=True,
        )
        completion = self._call(Stage.BUSINESS_LOGIC, user)
        logic = self._parse(Stage.BUSINESS_LOGIC, completion, BusinessLogic)
        problem = _syntax_problem(logic)
        if problem:
            raise self._unusable(Stage.BUSINESS_LOGIC, completion.usage, problem)
        return self._outcome(logic, completion, patterns)

    def refine(
        self,
        request: NodeRequest,
        prd: PrdAnalysis,
        contract: NodeContract,
        source: NodeSource,
        report: ValidationReport,
    ) -> StageOutcome[NodeSource]:
        failed = [g for g in report.gates if not g.passed]
        user = render_user(
            Stage.REFINEMENT,
            request=request,
            prd=prd,
            contract_json=contract.model_dump_json(indent=1),
            source=source,
            report=report,
            failed_gates=failed,
            files=sorted(source.files.items()),
        )
        completion = self._call(Stage.REFINEMENT, user)
        patch = self._parse(Stage.REFINEMENT, completion, RefinedFiles)
        for path in patch.files:
            problem = _path_problem(path, source)
            if problem:
                raise self._unusable(Stage.REFINEMENT, completion.usage, problem)
        refined = source.model_copy(
            update={
                "files": {**source.files, **patch.files},
                "refinement_attempts": source.refinement_attempts + 1,
            }
        )
        return self._outcome(refined, completion, [])


def _syntax_problem(logic: BusinessLogic) -> str | None:
    """The fragments must at least parse where code generation will put them."""
    pieces = {
        "imports": "\n".join(logic.imports),
        "helpers": logic.helpers,
        "init_body": "def __init__(self):\n" + textwrap.indent(logic.init_body or "pass", "    "),
        "process_body": "async def process(self, input_data):\n"
        + textwrap.indent(textwrap.dedent(logic.process_body) or "pass", "    "),
        "test_code": logic.test_code,
    }
    for field, code in pieces.items():
        try:
            ast.parse(code)
        except SyntaxError as exc:
            return f"{field} is not valid Python: {exc.msg} (line {exc.lineno})"
    return None


def _path_problem(path: str, source: NodeSource) -> str | None:
    if path in source.files:
        return None
    pure = PurePosixPath(path)
    if (
        not path
        or "\\" in path
        or pure.is_absolute()
        or any(part in ("..", ".", "") for part in path.split("/"))
        or not path.endswith(_EDITABLE_SUFFIXES)
    ):
        return f"refusing file path {path!r} (must be a relative path inside the version folder)"
    return None
