"""Hand-written good ONEX nodes, one per kind, used as fixtures and as mutation seeds."""

from __future__ import annotations

from nodegen.artifacts import NodeSource

ERRORS = '''

class OnexError(ValueError):
    """Typed error with an ONEX code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
'''


def _contract(name: str, kind: str, description: str, extra: str = "") -> str:
    pascal = "".join(p.capitalize() for p in name.split("_"))
    return f"""name: node_{name}_{kind}
node_type: {kind.upper()}_GENERIC
contract_version: {{major: 1, minor: 0, patch: 0}}
node_version: 1.0.0
description: {description}
input_model: {{name: Model{pascal}Input, module: models.model_{name}_input}}
output_model: {{name: Model{pascal}Output, module: models.model_{name}_output}}
capabilities: [demo.{kind}.run]
dependencies: []
error_handling:
  retry_policy: {{max_attempts: 3, backoff_seconds: 0.1, retry_on: []}}
metadata: {{generator_version: test, correlation_id: fixture}}
{extra}"""


def _node(name: str, kind: str, files: dict[str, str]) -> NodeSource:
    base = {
        "__init__.py": "",
        "models/__init__.py": "",
        "tests/__init__.py": "",
    }
    base.update(files)
    return NodeSource(node_dir_name=f"node_{name}_{kind}", files=base)


def compute_node() -> NodeSource:
    return _node(
        "sum_numbers",
        "compute",
        {
            "contract.yaml": _contract("sum_numbers", "compute", "Sums a list of numbers."),
            "models/model_sum_numbers_input.py": """from pydantic import BaseModel, Field


class ModelSumNumbersInput(BaseModel):
    numbers: list[float] = Field(default_factory=list)
""",
            "models/model_sum_numbers_output.py": """from pydantic import BaseModel


class ModelSumNumbersOutput(BaseModel):
    total: float
    count: int
""",
            "node.py": '''"""Pure compute node: sums numbers."""

import math

from .models.model_sum_numbers_input import ModelSumNumbersInput
from .models.model_sum_numbers_output import ModelSumNumbersOutput
'''
            + ERRORS
            + '''

class NodeSumNumbersCompute:
    """Sums its input numbers; rejects NaN."""

    async def process(self, input_data: ModelSumNumbersInput) -> ModelSumNumbersOutput:
        if any(math.isnan(x) for x in input_data.numbers):
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "NaN in numbers")
        return ModelSumNumbersOutput(total=math.fsum(input_data.numbers),
                                     count=len(input_data.numbers))
''',
            "tests/test_node_sum_numbers.py": """import asyncio

import pytest

from ..models.model_sum_numbers_input import ModelSumNumbersInput
from ..node import NodeSumNumbersCompute, OnexError


def test_sums() -> None:
    out = asyncio.run(NodeSumNumbersCompute().process(ModelSumNumbersInput(numbers=[1, 2, 3.5])))
    assert out.total == 6.5
    assert out.count == 3


def test_rejects_nan() -> None:
    with pytest.raises(OnexError):
        asyncio.run(NodeSumNumbersCompute().process(ModelSumNumbersInput(numbers=[float("nan")])))
""",
        },
    )


def effect_node() -> NodeSource:
    extra = """io_operations:
  - {operation: http_get_json, input_fields: [url], output_fields: [data, status_code], idempotent: true, timeout_ms: 5000}
"""
    return _node(
        "fetch_json",
        "effect",
        {
            "contract.yaml": _contract("fetch_json", "effect", "GETs a JSON document.", extra),
            "models/model_fetch_json_input.py": """from pydantic import BaseModel


class ModelFetchJsonInput(BaseModel):
    url: str
""",
            "models/model_fetch_json_output.py": """from typing import Any

from pydantic import BaseModel


class ModelFetchJsonOutput(BaseModel):
    status_code: int
    data: Any = None
""",
            "node.py": '''"""Effect node: GET a JSON document with retries and a timeout."""

import asyncio

import httpx

from .models.model_fetch_json_input import ModelFetchJsonInput
from .models.model_fetch_json_output import ModelFetchJsonOutput
'''
            + ERRORS
            + '''

class NodeFetchJsonEffect:
    """The transport is injectable so tests never touch the network."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None,
                 max_attempts: int = 3, timeout_s: float = 5.0) -> None:
        self.transport = transport
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s

    async def process(self, input_data: ModelFetchJsonInput) -> ModelFetchJsonOutput:
        last: Exception | None = None
        async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout_s) as client:
            for attempt in range(self.max_attempts):
                try:
                    resp = await client.get(input_data.url)
                    if resp.status_code >= 500:
                        raise httpx.HTTPStatusError("server error", request=resp.request,
                                                    response=resp)
                    return ModelFetchJsonOutput(status_code=resp.status_code, data=resp.json())
                except httpx.HTTPError as exc:
                    last = exc
                    await asyncio.sleep(0.01 * (attempt + 1))
        raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"GET failed: {last}")
''',
            "tests/test_node_fetch_json.py": """import asyncio

import httpx
import pytest

from ..models.model_fetch_json_input import ModelFetchJsonInput
from ..node import NodeFetchJsonEffect, OnexError


def test_gets_json_after_a_retry() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        if len(calls) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={"ok": True})

    node = NodeFetchJsonEffect(transport=httpx.MockTransport(handler))
    out = asyncio.run(node.process(ModelFetchJsonInput(url="https://example.test/x")))
    assert out.data == {"ok": True} and len(calls) == 2


def test_gives_up() -> None:
    node = NodeFetchJsonEffect(transport=httpx.MockTransport(lambda r: httpx.Response(500)),
                               max_attempts=2)
    with pytest.raises(OnexError):
        asyncio.run(node.process(ModelFetchJsonInput(url="https://example.test/x")))
""",
        },
    )


def reducer_node() -> NodeSource:
    return _node(
        "door_state",
        "reducer",
        {
            "contract.yaml": _contract("door_state", "reducer", "Door finite state machine."),
            "models/model_door_state_input.py": """from pydantic import BaseModel


class ModelDoorStateInput(BaseModel):
    state: str = "closed"
    events: list[str]
""",
            "models/model_door_state_output.py": """from pydantic import BaseModel


class ModelDoorStateOutput(BaseModel):
    state: str
    intents: list[str]
""",
            "node.py": '''"""Reducer node: pure state transition (state + events -> new state + intents)."""

from .models.model_door_state_input import ModelDoorStateInput
from .models.model_door_state_output import ModelDoorStateOutput
'''
            + ERRORS
            + """
TRANSITIONS = {
    ("closed", "open"): "opened",
    ("opened", "close"): "closed",
    ("closed", "lock"): "locked",
    ("locked", "unlock"): "closed",
}


class NodeDoorStateReducer:
    async def process(self, input_data: ModelDoorStateInput) -> ModelDoorStateOutput:
        state, intents = input_data.state, []
        for event in input_data.events:
            nxt = TRANSITIONS.get((state, event))
            if nxt is None:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"{event!r} in {state!r}")
            intents.append(f"notify:{nxt}")
            state = nxt
        return ModelDoorStateOutput(state=state, intents=intents)
""",
            "tests/test_node_door_state.py": """import asyncio

import pytest

from ..models.model_door_state_input import ModelDoorStateInput
from ..node import NodeDoorStateReducer, OnexError


def test_transitions() -> None:
    out = asyncio.run(NodeDoorStateReducer().process(
        ModelDoorStateInput(events=["lock", "unlock", "open"])))
    assert out.state == "opened"
    assert out.intents == ["notify:locked", "notify:closed", "notify:opened"]


def test_invalid_event() -> None:
    with pytest.raises(OnexError):
        asyncio.run(NodeDoorStateReducer().process(ModelDoorStateInput(events=["unlock"])))
""",
        },
    )


def orchestrator_node() -> NodeSource:
    return _node(
        "pipeline_runner",
        "orchestrator",
        {
            "contract.yaml": _contract(
                "pipeline_runner", "orchestrator", "Runs child steps in order and emits actions."
            ),
            "models/model_pipeline_runner_input.py": """from typing import Any

from pydantic import BaseModel


class ModelPipelineRunnerInput(BaseModel):
    steps: list[str]
    payload: dict[str, Any] = {}
""",
            "models/model_pipeline_runner_output.py": """from typing import Any

from pydantic import BaseModel


class ModelPipelineRunnerOutput(BaseModel):
    payload: dict[str, Any]
    actions: list[str]
""",
            "node.py": '''"""Orchestrator node: coordinates child callables and emits one action per step."""

from collections.abc import Awaitable, Callable
from typing import Any

from .models.model_pipeline_runner_input import ModelPipelineRunnerInput
from .models.model_pipeline_runner_output import ModelPipelineRunnerOutput
'''
            + ERRORS
            + """
Step = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class NodePipelineRunnerOrchestrator:
    def __init__(self, children: dict[str, Step] | None = None) -> None:
        self.children: dict[str, Step] = dict(children or {})

    async def process(self, input_data: ModelPipelineRunnerInput) -> ModelPipelineRunnerOutput:
        payload, actions = dict(input_data.payload), []
        for step in input_data.steps:
            child = self.children.get(step)
            if child is None:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"unknown step {step!r}")
            payload = await child(payload)
            actions.append(f"ran:{step}")
        return ModelPipelineRunnerOutput(payload=payload, actions=actions)
""",
            "tests/test_node_pipeline_runner.py": """import asyncio
from typing import Any

import pytest

from ..models.model_pipeline_runner_input import ModelPipelineRunnerInput
from ..node import NodePipelineRunnerOrchestrator, OnexError


async def double(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "x": p["x"] * 2}


async def inc(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "x": p["x"] + 1}


def test_runs_children_in_order() -> None:
    node = NodePipelineRunnerOrchestrator({"double": double, "inc": inc})
    out = asyncio.run(node.process(
        ModelPipelineRunnerInput(steps=["double", "inc"], payload={"x": 3})))
    assert out.payload == {"x": 7}
    assert out.actions == ["ran:double", "ran:inc"]


def test_unknown_step() -> None:
    with pytest.raises(OnexError):
        asyncio.run(NodePipelineRunnerOrchestrator().process(
            ModelPipelineRunnerInput(steps=["nope"])))
""",
        },
    )


ALL_GOOD = {
    "compute": compute_node,
    "effect": effect_node,
    "reducer": reducer_node,
    "orchestrator": orchestrator_node,
}
