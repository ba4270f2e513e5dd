"""LLMStageModel over the real provider SDKs (HTTP faked): prompts, strict parsing, failures."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from nodegen.artifacts import (
    GateResult,
    IntelligenceResponse,
    NodeContract,
    NodeSource,
    PatternHit,
    PrdAnalysis,
    Severity,
    ValidationReport,
)
from nodegen.errors import ModelCallError
from nodegen.providers.anthropic_provider import AnthropicModel
from nodegen.providers.llm_stage import LLMStageModel, extract_json_object
from nodegen.providers.openai_provider import OpenAICompatibleModel
from nodegen.request import NodeRequest
from tests.providers.provider_fakes import (
    ANTHROPIC_URL,
    OPENAI_URL,
    SECRET,
    anthropic_message,
    anthropic_spec,
    chat_completion,
    openai_spec,
    sent_json,
)

MESSAGES = f"{ANTHROPIC_URL}/v1/messages"

REQUEST = NodeRequest(
    prompt="Fetch a user profile from the profile service by user id, with a 5 second timeout",
    domain="identity",
)
INTEL = IntelligenceResponse(
    correlation_id="corr-1",
    patterns_found=[
        PatternHit(
            pattern_id="pat-42",
            node_name="order_fetch",
            node_kind="effect",
            domain="orders",
            similarity=0.81,
            quality_score=0.97,
            operations=["http_get"],
            code_excerpt="async with httpx.AsyncClient() as client:\n    ...",
        )
    ],
    recommendations=["retry on 5xx"],
)
PRD = PrdAnalysis(
    name="profile_fetch",
    node_kind="effect",
    domain="identity",
    description="Fetch a user profile",
    operations=["http_get"],
)
CONTRACT = {
    "name": "node_profile_fetch_effect",
    "node_type": "EFFECT_GENERIC",
    "description": "Fetch a user profile",
    "input_model": {"name": "ModelProfileFetchInput", "module": "models.model_profile_fetch_input"},
    "output_model": {"name": "ModelProfileFetchOutput", "module": "models.model_profile_fetch_output"},
    "capabilities": ["identity.profile.fetch"],
}


def _stage_model() -> LLMStageModel:
    return LLMStageModel(AnthropicModel("claude-haiku-4-5", anthropic_spec(max_retries=0), SECRET))


def _reply(http: respx.MockRouter, text: str, **usage: int) -> respx.Route:
    return http.post(MESSAGES).mock(
        return_value=httpx.Response(200, json=anthropic_message(text, **usage))
    )


# -- JSON extraction ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('Here you go:\n```json\n{"a": {"b": [1, 2]}}\n```\nDone.', {"a": {"b": [1, 2]}}),
        ('{"code": "if x { y } else {"}', {"code": "if x { y } else {"}),
        ('{"q": "say \\"}\\" now"}', {"q": 'say "}" now'}),
        ("note {not json} then {\"ok\": true}", {"ok": True}),
    ],
)
def test_extract_json_object(text: str, expected: dict) -> None:
    assert json.loads(extract_json_object(text)) == expected


@pytest.mark.parametrize("text", ["no json at all", "{unterminated", "[1, 2]", "{'single': 1}"])
def test_extract_json_object_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        extract_json_object(text)


# -- stages ---------------------------------------------------------------------------------


def test_analyse_prd_renders_prompt_and_parses_fenced_reply(http: respx.MockRouter) -> None:
    reply = (
        "Sure, here is the analysis:\n```json\n"
        + json.dumps(
            {
                "name": "profile_fetch",
                "node_kind": "effect",
                "domain": "users",
                "description": "Fetch a profile {by id}",
                "parameters": {"timeout_s": 5},
            }
        )
        + "\n```"
    )
    route = _reply(http, reply, input_tokens=500, output_tokens=80, cache_read=1200, cache_write=0)
    outcome = _stage_model().analyse_prd(REQUEST, INTEL)

    assert outcome.output.name == "profile_fetch"
    assert outcome.output.domain == "identity"  # the request's explicit domain wins
    assert outcome.output.parameters == {"timeout_s": 5}
    assert outcome.patterns_used == ["pat-42"]
    assert (outcome.model, outcome.provider) == ("claude-haiku-4-5", "anthropic")
    assert outcome.usage.tokens_input == 500 and outcome.usage.cache_read_tokens == 1200

    body = sent_json(route)
    system = body["system"][0]["text"]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert '"node_kind"' in system and "ONEX rules" in system  # schema + rules, static
    assert REQUEST.prompt not in system
    user = body["messages"][0]["content"]
    assert REQUEST.prompt in user and "pat-42" in user and "retry on 5xx" in user


def test_system_prompt_is_identical_across_requests(http: respx.MockRouter) -> None:
    """The cacheable part must not vary with the request."""
    route = _reply(http, json.dumps(PRD.model_dump(mode="json")))
    model = _stage_model()
    model.analyse_prd(REQUEST, INTEL)
    first = sent_json(route)["system"]
    model.analyse_prd(NodeRequest(prompt="Compute the sum of a list of numbers"), None)
    assert sent_json(route)["system"] == first


def test_malformed_reply_raises_retryable_error_with_usage(http: respx.MockRouter) -> None:
    _reply(http, "I think the node should fetch profiles.", input_tokens=700, output_tokens=33)
    with pytest.raises(ModelCallError, match="no JSON object") as info:
        _stage_model().analyse_prd(REQUEST, INTEL)
    assert info.value.retryable
    assert info.value.usage.tokens_input == 700 and info.value.usage.tokens_output == 33
    assert info.value.usage.cost_usd > 0


def test_schema_violation_raises_with_usage(http: respx.MockRouter) -> None:
    _reply(http, json.dumps({"name": "Bad Name", "node_kind": "effect", "domain": "x"}))
    with pytest.raises(ModelCallError, match="does not match PrdAnalysis") as info:
        _stage_model().analyse_prd(REQUEST, INTEL)
    assert "name" in str(info.value) and "description" in str(info.value)
    assert info.value.usage.tokens_output == 40


def test_build_contract(http: respx.MockRouter) -> None:
    route = _reply(http, json.dumps(CONTRACT))
    outcome = _stage_model().build_contract(REQUEST, PRD, INTEL)
    assert isinstance(outcome.output, NodeContract)
    assert outcome.output.input_model.name == "ModelProfileFetchInput"
    assert '"profile_fetch"' in sent_json(route)["messages"][0]["content"]  # the PRD is in the prompt


def test_build_contract_rejects_a_contract_for_another_node(http: respx.MockRouter) -> None:
    _reply(http, json.dumps({**CONTRACT, "name": "node_profile_fetch_compute", "node_type": "COMPUTE_GENERIC"}))
    with pytest.raises(ModelCallError, match="expected node_profile_fetch_effect") as info:
        _stage_model().build_contract(REQUEST, PRD, INTEL)
    assert info.value.usage.tokens_input == 120


def test_write_business_logic(http: respx.MockRouter) -> None:
    logic = {
        "imports": ["import httpx"],
        "process_body": "async with httpx.AsyncClient(timeout=5) as client:\n"
        "    response = await client.get(f'/users/{input_data.user_id}')\n"
        "return ModelProfileFetchOutput(profile=response.json())\n",
    }
    route = _reply(http, json.dumps(logic))
    outcome = _stage_model().write_business_logic(
        REQUEST, PRD, NodeContract.model_validate(CONTRACT), INTEL
    )
    assert outcome.output.imports == ["import httpx"]
    user = sent_json(route)["messages"][0]["content"]
    assert "NodeProfileFetchEffect" in user and "async with httpx.AsyncClient()" in user


def test_write_business_logic_rejects_code_that_does_not_parse(http: respx.MockRouter) -> None:
    _reply(http, json.dumps({"process_body": "return ModelProfileFetchOutput(("}))
    with pytest.raises(ModelCallError, match="process_body is not valid Python"):
        _stage_model().write_business_logic(REQUEST, PRD, NodeContract.model_validate(CONTRACT), INTEL)


def _source_and_report() -> tuple[NodeSource, ValidationReport]:
    source = NodeSource(
        node_dir_name="node_profile_fetch_effect",
        files={"node.py": "import os\nclass NodeProfileFetchEffect: ...\n", "contract.yaml": "name: x\n"},
    )
    report = ValidationReport(
        gates=[
            GateResult(gate="lint", passed=False, severity=Severity.BLOCKING, score=0.5,
                       findings=["node.py:1: F401 'os' imported but unused"]),
            GateResult(gate="syntax", passed=True, severity=Severity.BLOCKING, score=1.0),
        ],
        quality_score=0.7,
        success=False,
    )
    return source, report


def test_refine_returns_corrected_source(http: respx.MockRouter) -> None:
    source, report = _source_and_report()
    fixed = "class NodeProfileFetchEffect: ...\n"
    route = _reply(http, json.dumps({"files": {"node.py": fixed}, "notes": ["removed unused import"]}))
    outcome = _stage_model().refine(
        REQUEST, PRD, NodeContract.model_validate(CONTRACT), source, report
    )
    assert outcome.output.files == {"node.py": fixed, "contract.yaml": "name: x\n"}
    assert outcome.output.refinement_attempts == 1
    user = sent_json(route)["messages"][0]["content"]
    assert "F401 'os' imported but unused" in user and "=== node.py ===" in user
    assert "syntax" not in user.split("Failed gates")[1].split("Files:")[0]  # only failed gates


@pytest.mark.parametrize("path", ["../escape.py", "/etc/passwd", "a/../../b.py", "bin.so"])
def test_refine_rejects_paths_outside_the_node(http: respx.MockRouter, path: str) -> None:
    source, report = _source_and_report()
    _reply(http, json.dumps({"files": {path: "x = 1\n"}}))
    with pytest.raises(ModelCallError, match="refusing file path"):
        _stage_model().refine(REQUEST, PRD, NodeContract.model_validate(CONTRACT), source, report)


def test_stage_over_openai_compatible_server(http: respx.MockRouter) -> None:
    route = http.post(f"{OPENAI_URL}/chat/completions").mock(
        return_value=httpx.Response(200, json=chat_completion(json.dumps(CONTRACT)))
    )
    stage_model = LLMStageModel(OpenAICompatibleModel("qwen", openai_spec(max_tokens=1500)))
    outcome = stage_model.build_contract(REQUEST, PRD, INTEL)
    assert outcome.output.name == "node_profile_fetch_effect"
    assert outcome.provider == "openai_compatible" and outcome.usage.tokens_input == 300
    body = sent_json(route)
    assert body["max_tokens"] == 1500  # stage budget 2048 capped by the model's max_tokens
    assert body["messages"][0]["role"] == "system" and "JSON Schema" in body["messages"][0]["content"]
