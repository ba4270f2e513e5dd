"""Contract building and business-logic assembly from catalogue recipes (local-rules stages 3-4)."""

from __future__ import annotations

from typing import Any

from nodegen import GENERATOR_NAME, __version__
from nodegen.artifacts import (
    BusinessLogic,
    ErrorHandling,
    IoOperation,
    ModelRef,
    NodeContract,
    NodeKind,
    PrdAnalysis,
    RetryPolicy,
)
from nodegen.codegen import node_names, pascal, py_literal
from nodegen.offline.parser import transitions_from
from nodegen.offline.recipes import (
    BY_ID,
    HELPERS,
    HTTP_CACHE_TEST,
    INIT_PARAMS,
    ORCHESTRATOR_TESTS,
    Recipe,
)

DEFAULT_TTL = 300
DEFAULT_TIMEOUT = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_PERCENTILES = (50, 90, 95, 99)
DEFAULT_THRESHOLD = 10.0


def known_recipes(prd: PrdAnalysis) -> list[Recipe]:
    """The PRD's operations that are catalogue recipes allowed for its kind (others are ignored)."""
    return [BY_ID[op] for op in prd.operations if op in BY_ID and prd.node_kind in BY_ID[op].kinds]


def build_contract(prd: PrdAnalysis) -> NodeContract:
    """The node's contract (DESIGN.md, contract.yaml keys) from its PRD."""
    recipes = known_recipes(prd)
    base = pascal(prd.name)
    dependencies = ["pydantic>=2"]
    for recipe in recipes:
        dependencies += [d for d in recipe.dependencies if d not in dependencies]
    capabilities = [f"{prd.domain}.{r.category}.{r.action}" for r in recipes] or [
        f"{prd.domain}.{prd.name}.unimplemented"
    ]
    io_recipes = [r for r in recipes if r.io is not None]
    timeout_ms = int(float(prd.parameters.get("timeout_seconds", DEFAULT_TIMEOUT)) * 1000)
    io_operations = []
    if prd.node_kind == NodeKind.EFFECT:
        input_names = [f.name for f in prd.input_fields]
        output_names = [f.name for f in prd.output_fields]
        for recipe in io_recipes:
            assert recipe.io is not None
            io_operations.append(
                IoOperation(
                    operation=recipe.io.operation,
                    input_fields=[f.name for f in recipe.inputs if f.name in input_names],
                    output_fields=[f.name for f in recipe.outputs if f.name in output_names],
                    idempotent=recipe.io.idempotent,
                    timeout_ms=timeout_ms,
                )
            )
    retries = any(r.category in {"http", "workflow"} for r in recipes)
    retry_on = []
    if any(r.category == "http" for r in recipes):
        retry_on = ["httpx.TransportError", "HTTP 5xx"]
    elif any(r.category == "workflow" for r in recipes):
        retry_on = ["child step exception"]
    policy = RetryPolicy(
        max_attempts=int(prd.parameters.get("max_attempts", DEFAULT_ATTEMPTS)) if retries else 1,
        backoff_seconds=0.5 if retries else 0.0,
        retry_on=retry_on,
    )
    codes = ["ONEX_CORE_001_INVALID_PARAMETER", "ONEX_CORE_002_OPERATION_FAILED"]
    if not recipes:
        codes.append("ONEX_CORE_003_NOT_IMPLEMENTED")
    return NodeContract(
        name=f"node_{prd.name}_{prd.node_kind.value}",
        node_type=prd.node_kind.contract_type,
        description=prd.description,
        input_model=ModelRef(name=f"Model{base}Input", module=f"models.model_{prd.name}_input"),
        output_model=ModelRef(name=f"Model{base}Output", module=f"models.model_{prd.name}_output"),
        capabilities=capabilities,
        dependencies=dependencies,
        error_handling=ErrorHandling(retry_policy=policy, error_codes=codes),
        io_operations=io_operations,
        metadata={
            "generator": GENERATOR_NAME,
            "generator_version": __version__,
            "domain": prd.domain,
            "recipes": [r.id for r in recipes],
            "in_catalogue": bool(recipes),
        },
    )


def _indent(code: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in code.strip("\n").splitlines())


def _transitions_literal(table: dict[str, dict[str, str]]) -> str:
    rows = "".join(f"    {py_literal(state)}: {py_literal(moves)},\n" for state, moves in table.items())
    return "{\n" + rows + "}"


def _substitutions(prd: PrdAnalysis, names: Any) -> dict[str, str]:
    params = prd.parameters
    initial, table = transitions_from(params, prd.description.lower())
    first_state = next(s for s, moves in table.items() if moves) if any(table.values()) else initial
    first_event, first_target = next(iter(table[first_state].items()), ("none", first_state))
    percentiles = tuple(float(p) for p in params.get("percentiles") or DEFAULT_PERCENTILES)
    threshold = float(params.get("threshold", DEFAULT_THRESHOLD))
    return {
        "__NODE__": names.node_class,
        "__ERROR__": names.error_class,
        "__INPUT__": names.input_class,
        "__OUTPUT__": names.output_class,
        "__TTL__": repr(float(params.get("ttl_seconds", DEFAULT_TTL))),
        "__TIMEOUT__": repr(float(params.get("timeout_seconds", DEFAULT_TIMEOUT))),
        "__ATTEMPTS__": str(int(params.get("max_attempts", DEFAULT_ATTEMPTS))),
        "__TABLE__": py_literal(str(params.get("table", "records"))),
        "__PERCENTILES__": "(" + ", ".join(repr(p) for p in percentiles) + ("," if len(percentiles) == 1 else "") + ")",
        "__INITIAL__": py_literal(initial),
        "__TRANSITIONS__": _transitions_literal(table),
        "__FIRST_STATE__": py_literal(first_state),
        "__FIRST_EVENT__": py_literal(first_event),
        "__FIRST_TARGET__": py_literal(first_target),
        "__THRESHOLD__": repr(threshold),
        "__THRESHOLD_VALUE__": repr(threshold),
    }


def _fill(code: str, subs: dict[str, str]) -> str:
    for key, value in subs.items():
        code = code.replace(key, value)
    return code


def _sample_input_code(prd: PrdAnalysis, recipes: list[Recipe], names: Any) -> str:
    samples: dict[str, Any] = {}
    for recipe in recipes:
        for key, value in recipe.samples.items():
            samples.setdefault(key, value)
    if "from_unit" in prd.parameters and "from_unit" in samples:
        samples["from_unit"] = prd.parameters["from_unit"]
        samples["to_unit"] = prd.parameters["to_unit"]
    currencies = prd.parameters.get("currencies") or []
    if "rates" in samples and len(currencies) >= 2:
        samples["from_currency"], samples["to_currency"] = currencies[0], currencies[1]
        samples["rates"] = {currencies[0]: 1.0, currencies[1]: 0.5}
    required = {f.name for f in prd.input_fields if f.required}
    values = {k: v for k, v in samples.items() if k in required or k in {f.name for f in prd.input_fields}}
    if not recipes:
        values = {f.name: {"example": 1} for f in prd.input_fields if f.required}
    if values:
        body = "".join(f"        {py_literal(k)}: {py_literal(v)},\n" for k, v in values.items())
        literal = "{\n" + body + "    }"
    else:
        literal = "{}"
    return (
        f"def _sample_input(**overrides: Any) -> {names.input_class}:\n"
        f"    values: dict[str, Any] = {literal}\n"
        "    values.update(overrides)\n"
        f"    return {names.input_class}(**values)\n"
    )


def _make_node_code(recipes: list[Recipe], names: Any) -> str:
    init = {p for r in recipes for p in r.init}
    parts: list[str] = []
    defaults: list[str] = []
    if "transport" in init:
        parts.append(
            "def _echo(request: httpx.Request) -> httpx.Response:\n"
            "    body = json.loads(request.content) if request.content else None\n"
            '    payload = {"method": request.method, "path": request.url.path, "body": body}\n'
            "    return httpx.Response(200, json=payload)\n"
        )
        parts.append("async def _no_sleep(seconds: float) -> None:\n    return None\n")
        defaults += ['"transport": httpx.MockTransport(_echo)', '"sleep": _no_sleep']
    if "handlers" in init:
        parts.append(
            "def _handlers() -> dict[str, Any]:\n"
            "    async def extract(payload: dict[str, Any]) -> dict[str, Any]:\n"
            '        return {"rows": [1, 2, 3]}\n\n'
            "    async def transform(payload: dict[str, Any]) -> dict[str, Any]:\n"
            '        return {"doubled": [2 * x for x in payload.get("rows", [1])]}\n\n'
            "    async def load(payload: dict[str, Any]) -> dict[str, Any]:\n"
            '        return {"loaded": True}\n\n'
            '    return {"extract": extract, "transform": transform, "load": load}\n'
        )
        defaults.append('"handlers": _handlers()')
    parts.append(
        f"def _make_node(**options: Any) -> {names.node_class}:\n"
        f"    settings: dict[str, Any] = {{{', '.join(defaults)}}}\n"
        "    settings.update(options)\n"
        f"    return {names.node_class}(**settings)\n"
    )
    return "\n\n".join(parts)


def _init_code(recipes: list[Recipe], subs: dict[str, str]) -> tuple[str, list[str]]:
    params: list[str] = []
    for recipe in recipes:
        params += [p for p in recipe.init if p not in params]
    if not params:
        return "", []
    order = list(INIT_PARAMS)
    params.sort(key=order.index)
    signature = "".join(f"        {INIT_PARAMS[p][0]},\n" for p in params)
    body = "\n".join(_indent(INIT_PARAMS[p][1], 8) for p in params)
    imports = [line for p in params for line in INIT_PARAMS[p][2]]
    code = f"    def __init__(\n        self,\n        *,\n{signature}    ) -> None:\n{body}\n"
    return _fill(code, subs), imports


def write_business_logic(prd: PrdAnalysis, contract: NodeContract) -> BusinessLogic:
    """Assemble node code and tests from the catalogue; a typed-error skeleton otherwise."""
    names = node_names(contract)
    subs = _substitutions(prd, names)
    recipes = known_recipes(prd)
    unknown = [op for op in prd.operations if op not in {r.id for r in recipes}]
    notes = [f"operation {op!r} is not a catalogue recipe for {prd.node_kind}" for op in unknown]
    if not recipes:
        return _skeleton(prd, names, subs, notes)
    imports: list[str] = []
    helpers: list[str] = []
    for recipe in recipes:
        imports += [i for i in recipe.imports if i not in imports]
        helpers += [h for h in recipe.helpers if h not in helpers]
    init_code, init_imports = _init_code(recipes, subs)
    imports += [i for i in init_imports if i not in imports]

    body = ["values: dict[str, Any] = {}"]
    body += [r.prologue.strip("\n") for r in recipes if r.prologue.strip()]
    chain = [r for r in recipes if r.records_chain]
    steps = [r for r in recipes if r.step.strip()]
    for recipe in steps:
        if recipe is (chain[0] if chain else None):
            body.append("records: list[dict[str, Any]] = [dict(r) for r in input_data.records]")
        body.append(recipe.step.strip("\n"))
        if chain and recipe is chain[-1] and any(f.name == "records" for f in prd.output_fields):
            body.append('values["records"] = records')
    body += [r.epilogue.strip("\n") for r in reversed(recipes) if r.epilogue.strip()]
    body.append(f"return {names.output_class}(**values)")
    process_body = _fill("\n".join(body) + "\n", subs)

    tests = [_sample_input_code(prd, recipes, names), _make_node_code(recipes, names)]
    if any(r.category == "sqlite" for r in recipes):
        tests.insert(0, f"TABLE = {subs['__TABLE__']}\n")
    tests += [r.tests.strip("\n") + "\n" for r in recipes if r.tests.strip()]
    ids = {r.id for r in recipes}
    if "ttl_cache" in ids and ids & {"http_get_json", "http_post_json"}:
        tests.append(HTTP_CACHE_TEST.strip("\n") + "\n")
    if any(r.category == "workflow" for r in recipes):
        tests.append(ORCHESTRATOR_TESTS.strip("\n") + "\n")
    test_code = _fill("\n\n".join(tests), subs)

    return BusinessLogic(
        imports=imports,
        helpers=_fill("\n\n".join(HELPERS[h].strip("\n") + "\n" for h in helpers), subs),
        init_body=init_code,
        process_body=process_body,
        test_code=test_code,
        implemented=True,
        recipes=[r.id for r in recipes],
        notes=notes,
    )


def _skeleton(prd: PrdAnalysis, names: Any, subs: dict[str, str], notes: list[str]) -> BusinessLogic:
    """Out of catalogue: a compliant node whose process raises NOT_IMPLEMENTED, honestly tested."""
    reasons = prd.parameters.get("unsupported") or ["no recipe matched the request"]
    process_body = (
        f"raise {names.error_class}(\n"
        "    ERROR_NOT_IMPLEMENTED,\n"
        f"    {py_literal(f'{names.node_class} has no implementation yet')},\n"
        ")\n"
    )
    test = (
        "def test_process_fulfils_the_request() -> None:\n"
        '    """Fails until the behaviour is written: no offline recipe covers this request."""\n'
        "    node = _make_node()\n"
        "    result = asyncio.run(node.process(_sample_input()))\n"
        "    assert result.result\n"
    )
    tests = [_sample_input_code(prd, [], names), _make_node_code([], names), test]
    return BusinessLogic(
        imports=[],
        helpers="",
        init_body="",
        process_body=process_body,
        test_code=_fill("\n\n".join(tests), subs),
        implemented=False,
        recipes=[],
        notes=[*notes, *(f"outside the offline catalogue: {r}" for r in reasons)],
    )
