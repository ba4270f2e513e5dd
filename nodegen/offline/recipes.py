"""The catalogue of operation recipes that `local-rules` assembles nodes from.

Each recipe is a tested code fragment with its fields, trigger keywords, parameters and its own
generated tests. Recipes in the same `group` are alternatives (one per node); the others combine.

| id                   | kinds            | triggers (regex, lower-cased prompt)          | inputs -> outputs                                  | parameters        |
|----------------------|------------------|-----------------------------------------------|----------------------------------------------------|-------------------|
| http_get_json        | effect           | fetch, http get, api, download, retrieve      | url, params -> data, status_code                   | url, timeout, retries |
| http_post_json       | effect           | post, send, submit, publish, webhook, notify  | url, payload -> data, status_code                  | url, timeout, retries |
| ttl_cache            | effect           | cache, cached, caching                        | (wraps the node) -> cached                         | ttl_seconds       |
| file_read            | effect           | read/load ... file                            | path, encoding, max_bytes -> content, size_bytes   | path              |
| file_write           | effect           | write/save ... file                           | path, content, encoding, overwrite -> bytes_written | path              |
| sqlite_insert        | effect           | insert, store/save/persist ... database/sqlite| database_path, rows -> rows_inserted               | table             |
| sqlite_select        | effect           | query, select, look up ... database/sqlite    | database_path, where, limit -> rows, row_count     | table             |
| validate_records     | compute, effect  | validate, check, verify                       | records, required_fields, field_types -> records, errors, valid | -    |
| filter_records       | compute, effect  | filter, only, exclude, keep ... where         | records, equals, minimum, maximum -> records, dropped | -              |
| map_records          | compute, effect  | rename, map, transform, project, reshape      | records, rename, keep_fields -> records            | -                 |
| deduplicate_records  | compute, effect  | dedup, duplicate, unique                      | records, key_fields -> records, duplicates_removed | -                 |
| group_by             | compute, effect  | group by, grouped, per ..., aggregate by      | records, key_field, value_field -> groups          | group_key         |
| statistics           | compute, effect  | statistics, average, mean, median, percentile | values -> count, total, mean, minimum, maximum, percentiles | percentiles |
| unit_conversion      | compute, effect  | convert ... units, celsius, km, miles, kg ... | value, from_unit, to_unit -> converted_value, unit | units             |
| currency_conversion  | compute, effect  | convert ... currency/currencies/usd/eur ...   | amount, from/to_currency, rates -> converted_amount, rate | currencies |
| fsm_reducer          | reducer          | state machine, fsm, transition, lifecycle     | state, events -> state, intents, rejected_events   | states (a -> b)   |
| accumulate_reducer   | reducer          | total, tally, accumulate, balance, stock level| totals, events -> totals, intents                  | threshold         |
| orchestrate_sequential | orchestrator   | sequential, in order, then, pipeline          | steps, payload -> results, actions, payload        | retries           |
| orchestrate_parallel | orchestrator     | parallel, concurrent, fan out, at the same time | steps, payload -> results, actions, payload      | retries           |

Code fragments use placeholders replaced at assembly: __NODE__, __ERROR__, __INPUT__, __OUTPUT__
and recipe parameters (__TTL__, __TABLE__, __PERCENTILES__ ...).
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nodegen.artifacts import FieldSpec, NodeKind

EFFECT = frozenset({NodeKind.EFFECT})
PURE = frozenset({NodeKind.COMPUTE, NodeKind.EFFECT})
REDUCER = frozenset({NodeKind.REDUCER})
ORCHESTRATOR = frozenset({NodeKind.ORCHESTRATOR})


def f(name: str, type_: str, description: str, default: Any = ..., required: bool | None = None) -> FieldSpec:
    """FieldSpec shorthand: no default means required."""
    if default is ...:
        return FieldSpec(name=name, type=type_, description=description, required=True)
    return FieldSpec(name=name, type=type_, description=description, required=False, default=default)


@dataclass(frozen=True)
class IoSpec:
    operation: str
    idempotent: bool


@dataclass(frozen=True)
class Recipe:
    id: str
    summary: str
    kinds: frozenset[NodeKind]
    triggers: tuple[str, ...]
    category: str
    action: str
    inputs: tuple[FieldSpec, ...]
    outputs: tuple[FieldSpec, ...]
    samples: dict[str, Any]
    step: str
    tests: str
    group: str | None = None
    imports: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    init: tuple[str, ...] = ()
    records_chain: bool = False
    io: IoSpec | None = None
    dependencies: tuple[str, ...] = ()
    prologue: str = ""
    epilogue: str = ""
    order: int = 50
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Shared helpers (module level in node.py) and constructor parameters
# ---------------------------------------------------------------------------------------------

HELPERS: dict[str, str] = {
    "send_with_retry": '''
async def _send_with_retry(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    attempts: int,
    backoff_seconds: float,
    sleep: Callable[[float], Awaitable[None]],
    **kwargs: Any,
) -> httpx.Response:
    """Send one request, retrying transport errors and 5xx answers with exponential backoff."""
    last_error = ""
    for attempt in range(1, attempts + 1):
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code < 500:
                return response
            last_error = f"HTTP {response.status_code}"
        if attempt < attempts:
            await sleep(backoff_seconds * 2 ** (attempt - 1))
    raise __ERROR__(
        ERROR_OPERATION_FAILED,
        f"{method} {url} failed after {attempts} attempts: {last_error}",
    )


def _json_body(response: httpx.Response) -> Any:
    """Decode a JSON answer; a 4xx answer or a non-JSON body is a typed error."""
    if response.status_code >= 400:
        raise __ERROR__(
            ERROR_OPERATION_FAILED,
            f"upstream answered HTTP {response.status_code}",
        )
    try:
        return response.json()
    except ValueError as exc:
        raise __ERROR__(
            ERROR_OPERATION_FAILED,
            "upstream answer is not JSON",
        ) from exc


def _check_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise __ERROR__(
            ERROR_INVALID_PARAMETER,
            f"url must start with http:// or https://, got {url!r}",
        )
    return url
''',
    "write_atomically": '''
def _write_atomically(path: Path, data: bytes) -> None:
    """Write a sibling temp file, then rename it, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
''',
    "sqlite": '''
TABLE_NAME = __TABLE__


def _identifier(name: str) -> str:
    """Quote a column or table name after checking it is a plain identifier (no injection)."""
    if not (name.isascii() and name.isidentifier()):
        raise __ERROR__(
            ERROR_INVALID_PARAMETER,
            f"not a safe SQL identifier: {name!r}",
        )
    return f'"{name}"'


def _sql_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value
''',
    "sqlite_insert": '''
def _insert_rows(database: str, table: str, rows: list[dict[str, Any]]) -> int:
    """Create or widen the table as needed, then insert every row in one transaction."""
    columns = sorted({key for row in rows for key in row})
    quoted = [_identifier(column) for column in columns]
    table_sql = _identifier(table)
    connection = sqlite3.connect(database)
    try:
        with connection:
            info = connection.execute(f"PRAGMA table_info({table_sql})").fetchall()
            existing = {row[1] for row in info}
            if not existing:
                connection.execute(f"CREATE TABLE {table_sql} ({', '.join(quoted)})")
            for column, column_sql in zip(columns, quoted, strict=True):
                if existing and column not in existing:
                    connection.execute(f"ALTER TABLE {table_sql} ADD COLUMN {column_sql}")
            placeholders = ", ".join("?" for _ in columns)
            connection.executemany(
                f"INSERT INTO {table_sql} ({', '.join(quoted)}) VALUES ({placeholders})",
                [tuple(_sql_value(row.get(column)) for column in columns) for row in rows],
            )
    except sqlite3.Error as exc:
        raise __ERROR__(
            ERROR_OPERATION_FAILED,
            f"insert into {table} failed: {exc}",
        ) from exc
    finally:
        connection.close()
    return len(rows)
''',
    "sqlite_select": '''
def _select_rows(
    database: str,
    table: str,
    where: dict[str, Any],
    limit: int,
) -> list[dict[str, Any]]:
    """Equality-filtered SELECT with bound parameters; identifiers are checked and quoted."""
    if not Path(database).is_file():
        raise __ERROR__(
            ERROR_INVALID_PARAMETER,
            f"database not found: {database}",
        )
    sql = f"SELECT * FROM {_identifier(table)}"
    if where:
        sql += " WHERE " + " AND ".join(f"{_identifier(name)} = ?" for name in where)
    sql += " LIMIT ?"
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    try:
        rows = connection.execute(sql, [*map(_sql_value, where.values()), limit]).fetchall()
    except sqlite3.Error as exc:
        raise __ERROR__(
            ERROR_OPERATION_FAILED,
            f"query on {table} failed: {exc}",
        ) from exc
    finally:
        connection.close()
    return [dict(row) for row in rows]
''',
    "type_ok": '''
def _type_ok(value: Any, type_name: str) -> bool:
    """JSON-ish type check; bool is not an int here."""
    if type_name == "bool":
        return isinstance(value, bool)
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "str":
        return isinstance(value, str)
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"unknown type name {type_name!r}; use str, int, float or bool",
    )
''',
    "matches": '''
def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _matches(
    record: dict[str, Any],
    equals: dict[str, Any],
    minimum: dict[str, float],
    maximum: dict[str, float],
) -> bool:
    """True when the record meets every condition; a missing or non-numeric field fails a bound."""
    if any(record.get(name) != expected for name, expected in equals.items()):
        return False
    for name, low in minimum.items():
        value = _number(record.get(name))
        if value is None or value < low:
            return False
    for name, high in maximum.items():
        value = _number(record.get(name))
        if value is None or value > high:
            return False
    return True
''',
    "identity": '''
def _identity(record: dict[str, Any], key_fields: list[str]) -> str:
    """A canonical text key for duplicate detection (the whole record when no keys are given)."""
    if key_fields:
        return json.dumps([record.get(name) for name in key_fields], sort_keys=True, default=str)
    return json.dumps(record, sort_keys=True, default=str)
''',
    "group": '''
def _group(
    records: list[dict[str, Any]],
    key_field: str,
    value_field: str,
) -> dict[str, dict[str, float]]:
    """count/sum/mean/min/max of value_field per distinct key_field (count only without one)."""
    groups: dict[str, dict[str, float]] = {}
    for index, record in enumerate(records):
        key = str(record.get(key_field))
        amount: Any = record.get(value_field) if value_field else 1
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise __ERROR__(
                ERROR_INVALID_PARAMETER,
                f"record {index}: {value_field} is not a number",
            )
        stats = groups.setdefault(
            key, {"count": 0.0, "sum": 0.0, "min": float(amount), "max": float(amount)}
        )
        stats["count"] += 1
        stats["sum"] += amount
        stats["min"] = min(stats["min"], float(amount))
        stats["max"] = max(stats["max"], float(amount))
    for stats in groups.values():
        stats["mean"] = stats["sum"] / stats["count"]
    return groups
''',
    "percentile": '''
PERCENTILES: tuple[float, ...] = __PERCENTILES__


def _percentile(ordered: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default method) of sorted values."""
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
''',
    "units": '''
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "m": ("length", 1.0),
    "km": ("length", 1000.0),
    "cm": ("length", 0.01),
    "mm": ("length", 0.001),
    "mi": ("length", 1609.344),
    "yd": ("length", 0.9144),
    "ft": ("length", 0.3048),
    "in": ("length", 0.0254),
    "kg": ("mass", 1.0),
    "g": ("mass", 0.001),
    "lb": ("mass", 0.45359237),
    "oz": ("mass", 0.028349523125),
    "t": ("mass", 1000.0),
    "s": ("time", 1.0),
    "min": ("time", 60.0),
    "h": ("time", 3600.0),
    "day": ("time", 86400.0),
    "l": ("volume", 1.0),
    "ml": ("volume", 0.001),
    "gal": ("volume", 3.785411784),
}
TEMPERATURES = ("c", "f", "k")
UNIT_ALIASES: dict[str, str] = {
    "meter": "m",
    "metre": "m",
    "kilometer": "km",
    "kilometre": "km",
    "centimeter": "cm",
    "centimetre": "cm",
    "millimeter": "mm",
    "millimetre": "mm",
    "mile": "mi",
    "yard": "yd",
    "foot": "ft",
    "feet": "ft",
    "inch": "in",
    "inches": "in",
    "kilogram": "kg",
    "gram": "g",
    "pound": "lb",
    "lbs": "lb",
    "ounce": "oz",
    "tonne": "t",
    "second": "s",
    "minute": "min",
    "hour": "h",
    "liter": "l",
    "litre": "l",
    "milliliter": "ml",
    "millilitre": "ml",
    "gallon": "gal",
    "celsius": "c",
    "fahrenheit": "f",
    "kelvin": "k",
}


def _canonical_unit(unit: str) -> str:
    """Map a unit name or symbol (any case, singular or plural) to its canonical symbol."""
    name = unit.strip().lower()
    for candidate in (name, name[:-1] if name.endswith("s") else name):
        candidate = UNIT_ALIASES.get(candidate, candidate)
        if candidate in UNIT_FACTORS or candidate in TEMPERATURES:
            return candidate
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"unknown unit {unit!r}",
    )


def _to_kelvin(value: float, unit: str) -> float:
    if unit == "c":
        return value + 273.15
    if unit == "f":
        return (value - 32) * 5 / 9 + 273.15
    return value


def _from_kelvin(value: float, unit: str) -> float:
    if unit == "c":
        return value - 273.15
    if unit == "f":
        return (value - 273.15) * 9 / 5 + 32
    return value


def _convert_units(value: float, from_unit: str, to_unit: str) -> float:
    """Convert within one dimension (length, mass, time, volume, temperature)."""
    source, target = _canonical_unit(from_unit), _canonical_unit(to_unit)
    if source in TEMPERATURES or target in TEMPERATURES:
        if not (source in TEMPERATURES and target in TEMPERATURES):
            raise __ERROR__(
                ERROR_INVALID_PARAMETER,
                f"cannot convert {from_unit} to {to_unit}",
            )
        return _from_kelvin(_to_kelvin(value, source), target)
    (source_dim, source_factor), (target_dim, target_factor) = (
        UNIT_FACTORS[source],
        UNIT_FACTORS[target],
    )
    if source_dim != target_dim:
        raise __ERROR__(
            ERROR_INVALID_PARAMETER,
            f"cannot convert {source_dim} ({from_unit}) to {target_dim} ({to_unit})",
        )
    return value * source_factor / target_factor
''',
    "exchange_rate": '''
def _exchange_rate(rates: dict[str, float], source: str, target: str) -> float:
    """Rate from source to target, given each currency's units per one unit of a base."""
    table = {code.upper(): rate for code, rate in rates.items()}
    for code in (source.upper(), target.upper()):
        if code not in table:
            raise __ERROR__(
                ERROR_INVALID_PARAMETER,
                f"no rate for currency {code}",
            )
        if not table[code] > 0:
            raise __ERROR__(
                ERROR_INVALID_PARAMETER,
                f"rate for {code} must be positive",
            )
    return table[target.upper()] / table[source.upper()]
''',
    "transitions": '''
INITIAL_STATE = __INITIAL__
TRANSITIONS: dict[str, dict[str, str]] = __TRANSITIONS__
''',
    "threshold": '''
LOW_THRESHOLD: float | None = __THRESHOLD__


def _delta(index: int, event: dict[str, Any]) -> tuple[str, float]:
    """Validate one event {"key": str, "amount": number}."""
    key, amount = event.get("key"), event.get("amount")
    if not isinstance(key, str) or not key:
        raise __ERROR__(
            ERROR_INVALID_PARAMETER,
            f"event {index}: key must be a non-empty string",
        )
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise __ERROR__(
            ERROR_INVALID_PARAMETER,
            f"event {index}: amount must be a number",
        )
    return key, float(amount)
''',
    "run_step": '''
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def _run_step(
    name: str,
    handler: Handler,
    payload: dict[str, Any],
    attempts: int,
    actions: list[dict[str, Any]],
) -> dict[str, Any]:
    """Call one child step with retries; every attempt is recorded as an emitted action."""
    last_error = ""
    for attempt in range(1, attempts + 1):
        try:
            result = await handler(dict(payload))
        except Exception as exc:
            last_error = f"{type(exc).__name__}: {exc}"
            actions.append({"action": "run_step", "step": name, "attempt": attempt, "ok": False})
            continue
        if not isinstance(result, dict):
            raise __ERROR__(
                ERROR_OPERATION_FAILED,
                f"step {name} returned {type(result).__name__}, expected a dict",
            )
        actions.append({"action": "run_step", "step": name, "attempt": attempt, "ok": True})
        return result
    raise __ERROR__(
        ERROR_OPERATION_FAILED,
        f"step {name} failed after {attempts} attempts: {last_error}",
    )
''',
}

# name -> (signature line, body lines, imports)
INIT_PARAMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "transport": (
        "transport: httpx.AsyncBaseTransport | None = None",
        "self._transport = transport",
        ("import httpx",),
    ),
    "sleep": (
        "sleep: Callable[[float], Awaitable[None]] | None = None",
        "self._sleep = sleep or asyncio.sleep",
        ("import asyncio", "from collections.abc import Awaitable, Callable"),
    ),
    "timeout_seconds": (
        "timeout_seconds: float = __TIMEOUT__",
        "self.timeout_seconds = timeout_seconds",
        (),
    ),
    "max_attempts": (
        "max_attempts: int = __ATTEMPTS__",
        """if max_attempts < 1:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        "max_attempts must be at least 1",
    )
self.max_attempts = max_attempts""",
        (),
    ),
    "backoff_seconds": (
        "backoff_seconds: float = 0.5",
        "self.backoff_seconds = backoff_seconds",
        (),
    ),
    "clock": (
        "clock: Callable[[], float] | None = None",
        "self._clock = clock or time.monotonic",
        ("import time", "from collections.abc import Callable"),
    ),
    "ttl_seconds": (
        "ttl_seconds: float = __TTL__",
        """self.ttl_seconds = ttl_seconds
self._cache: dict[str, tuple[float, dict[str, Any]]] = {}""",
        (),
    ),
    "handlers": (
        "handlers: Mapping[str, Handler] | None = None",
        "self._handlers: dict[str, Handler] = dict(handlers or {})",
        ("from collections.abc import Awaitable, Callable, Mapping",),
    ),
}

HTTP_INIT = ("transport", "sleep", "timeout_seconds", "max_attempts", "backoff_seconds")
HTTP_IMPORTS = ("import httpx", "import asyncio", "from collections.abc import Awaitable, Callable")

RECORDS = f("records", "list[dict[str, Any]]", "The records to process", [])
RECORDS_OUT = f("records", "list[dict[str, Any]]", "The processed records", [])

_HTTP_TESTS = '''
def test___ID___returns_the_json_body() -> None:
    node = _make_node()
    result = asyncio.run(node.process(_sample_input()))
    assert result.status_code == 200
    assert result.data["method"] == "__METHOD__"


def test___ID___retries_server_errors_then_succeeds() -> None:
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={"ok": True})

    node = _make_node(transport=httpx.MockTransport(flaky))
    result = asyncio.run(node.process(_sample_input()))
    assert result.data == {"ok": True}
    assert len(calls) == 2


def test___ID___gives_up_with_a_typed_error() -> None:
    calls: list[str] = []

    def down(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503)

    node = _make_node(transport=httpx.MockTransport(down), max_attempts=3)
    with pytest.raises(__ERROR__) as caught:
        asyncio.run(node.process(_sample_input()))
    assert caught.value.code == "ONEX_CORE_002_OPERATION_FAILED"
    assert len(calls) == 3


def test___ID___does_not_retry_client_errors() -> None:
    calls: list[str] = []

    def missing(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(404)

    node = _make_node(transport=httpx.MockTransport(missing))
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input()))
    assert len(calls) == 1


def test___ID___rejects_non_http_urls() -> None:
    node = _make_node()
    with pytest.raises(__ERROR__) as caught:
        asyncio.run(node.process(_sample_input(url="file:///etc/passwd")))
    assert caught.value.code == "ONEX_CORE_001_INVALID_PARAMETER"
'''

RECIPES: tuple[Recipe, ...] = (
    Recipe(
        id="http_get_json",
        summary="GET a JSON document over HTTP with timeout and retries",
        kinds=EFFECT,
        triggers=(r"\bfetch", r"\bhttp\b", r"\bget\b", r"\bapi\b", r"download", r"retriev", r"\bpoll"),
        category="http",
        action="get",
        group="http",
        inputs=(
            f("url", "str", "Address of the JSON resource"),
            f("params", "dict[str, str]", "Query parameters", {}),
        ),
        outputs=(
            f("data", "Any", "The decoded JSON body", None),
            f("status_code", "int", "HTTP status of the answer"),
        ),
        samples={"url": "https://api.example.com/v1/data"},
        imports=HTTP_IMPORTS,
        helpers=("send_with_retry",),
        init=HTTP_INIT,
        io=IoSpec("http_get", True),
        dependencies=("httpx>=0.27",),
        order=10,
        step='''
async with httpx.AsyncClient(transport=self._transport, timeout=self.timeout_seconds) as client:
    response = await _send_with_retry(
        client,
        "GET",
        _check_url(input_data.url),
        attempts=self.max_attempts,
        backoff_seconds=self.backoff_seconds,
        sleep=self._sleep,
        params=input_data.params,
    )
values["data"] = _json_body(response)
values["status_code"] = response.status_code
''',
        tests=_HTTP_TESTS.replace("__ID__", "http_get").replace("__METHOD__", "GET"),
    ),
    Recipe(
        id="http_post_json",
        summary="POST a JSON payload over HTTP with timeout and retries",
        kinds=EFFECT,
        triggers=(r"\bpost", r"\bsend", r"submit", r"publish", r"webhook", r"notif", r"\bpush"),
        category="http",
        action="post",
        group="http",
        inputs=(
            f("url", "str", "Address to post to"),
            f("payload", "dict[str, Any]", "JSON body to send", {}),
        ),
        outputs=(
            f("data", "Any", "The decoded JSON answer", None),
            f("status_code", "int", "HTTP status of the answer"),
        ),
        samples={"url": "https://api.example.com/v1/events", "payload": {"id": 1}},
        imports=HTTP_IMPORTS,
        helpers=("send_with_retry",),
        init=HTTP_INIT,
        io=IoSpec("http_post", False),
        dependencies=("httpx>=0.27",),
        order=10,
        step='''
async with httpx.AsyncClient(transport=self._transport, timeout=self.timeout_seconds) as client:
    response = await _send_with_retry(
        client,
        "POST",
        _check_url(input_data.url),
        attempts=self.max_attempts,
        backoff_seconds=self.backoff_seconds,
        sleep=self._sleep,
        json=input_data.payload,
    )
values["data"] = _json_body(response)
values["status_code"] = response.status_code
''',
        tests=_HTTP_TESTS.replace("__ID__", "http_post").replace("__METHOD__", "POST")
        + '''

def test_http_post_sends_the_payload() -> None:
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(payload={"id": 7})))
    assert result.data["body"] == {"id": 7}
''',
    ),
    Recipe(
        id="ttl_cache",
        summary="In-memory TTL cache around the node's work, with an injectable clock",
        kinds=EFFECT,
        triggers=(r"\bcach",),
        category="cache",
        action="cache",
        inputs=(),
        outputs=(f("cached", "bool", "True when served from the cache", False),),
        samples={},
        imports=("import time", "from collections.abc import Callable"),
        init=("clock", "ttl_seconds"),
        order=0,
        prologue='''
cache_key = input_data.model_dump_json()
now = self._clock()
hit = self._cache.get(cache_key)
if hit is not None and now - hit[0] < self.ttl_seconds:
    return __OUTPUT__(**{**hit[1], "cached": True})
values["cached"] = False
''',
        epilogue='''
self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self.ttl_seconds}
self._cache[cache_key] = (now, dict(values))
''',
        step="",
        tests='''
def test_ttl_cache_serves_repeats_until_expiry() -> None:
    now = [1000.0]
    node = _make_node(clock=lambda: now[0])
    first = asyncio.run(node.process(_sample_input()))
    second = asyncio.run(node.process(_sample_input()))
    assert first.cached is False
    assert second.cached is True
    now[0] += __TTL__ + 1
    third = asyncio.run(node.process(_sample_input()))
    assert third.cached is False
''',
    ),
    Recipe(
        id="file_read",
        summary="Read a text file (size-capped, encoding-checked)",
        kinds=EFFECT,
        triggers=(r"\b(read|load|ingest|open)s?\b.*\bfiles?\b", r"\bfrom (a |the )?(local )?file"),
        category="file",
        action="read",
        group="file",
        inputs=(
            f("path", "str", "File to read"),
            f("encoding", "str", "Text encoding", "utf-8"),
            f("max_bytes", "int", "Refuse files larger than this", 10_000_000),
        ),
        outputs=(
            f("content", "str", "The file's text"),
            f("size_bytes", "int", "Size of the file in bytes"),
            f("line_count", "int", "Number of lines"),
        ),
        samples={"path": "input.txt"},
        imports=("import asyncio", "from pathlib import Path"),
        io=IoSpec("file_read", True),
        order=10,
        step='''
path = Path(input_data.path)
try:
    data = await asyncio.to_thread(path.read_bytes)
except FileNotFoundError as exc:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"file not found: {path}",
    ) from exc
except OSError as exc:
    raise __ERROR__(
        ERROR_OPERATION_FAILED,
        f"cannot read {path}: {exc.strerror}",
    ) from exc
if len(data) > input_data.max_bytes:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"{path} is {len(data)} bytes, over the {input_data.max_bytes} byte limit",
    )
try:
    text = data.decode(input_data.encoding)
except (UnicodeDecodeError, LookupError) as exc:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"{path} is not valid {input_data.encoding} text",
    ) from exc
values["content"] = text
values["size_bytes"] = len(data)
values["line_count"] = len(text.splitlines())
''',
        tests='''
def test_file_read_returns_the_text(tmp_path: Path) -> None:
    target = tmp_path / "input.txt"
    target.write_text("alpha\\nbeta\\n", encoding="utf-8")
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(path=str(target))))
    assert result.content == "alpha\\nbeta\\n"
    assert result.line_count == 2
    assert result.size_bytes == 11


def test_file_read_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    node = _make_node()
    with pytest.raises(__ERROR__) as caught:
        asyncio.run(node.process(_sample_input(path=str(tmp_path / "absent.txt"))))
    assert caught.value.code == "ONEX_CORE_001_INVALID_PARAMETER"


def test_file_read_enforces_the_size_limit(tmp_path: Path) -> None:
    target = tmp_path / "big.txt"
    target.write_text("x" * 100, encoding="utf-8")
    node = _make_node()
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(path=str(target), max_bytes=10)))
''',
    ),
    Recipe(
        id="file_write",
        summary="Write a text file atomically (temp file + rename)",
        kinds=EFFECT,
        triggers=(r"\b(write|save|dump|export)s?\b.*\bfiles?\b", r"\bto (a |the )?(local )?file"),
        category="file",
        action="write",
        group="file",
        inputs=(
            f("path", "str", "File to write"),
            f("content", "str", "Text to write"),
            f("encoding", "str", "Text encoding", "utf-8"),
            f("overwrite", "bool", "Replace an existing file", True),
        ),
        outputs=(
            f("path", "str", "Where the file was written"),
            f("bytes_written", "int", "Bytes written"),
        ),
        samples={"path": "output.txt", "content": "hello"},
        imports=("import asyncio", "from pathlib import Path"),
        helpers=("write_atomically",),
        io=IoSpec("file_write", True),
        order=10,
        step='''
path = Path(input_data.path)
if path.exists() and not input_data.overwrite:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"{path} exists and overwrite is false",
    )
try:
    data = input_data.content.encode(input_data.encoding)
except (UnicodeEncodeError, LookupError) as exc:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"content cannot be encoded as {input_data.encoding}",
    ) from exc
try:
    await asyncio.to_thread(_write_atomically, path, data)
except OSError as exc:
    raise __ERROR__(
        ERROR_OPERATION_FAILED,
        f"cannot write {path}: {exc.strerror}",
    ) from exc
values["path"] = str(path)
values["bytes_written"] = len(data)
''',
        tests='''
def test_file_write_writes_the_content(tmp_path: Path) -> None:
    target = tmp_path / "out" / "result.txt"
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(path=str(target), content="héllo")))
    assert target.read_text(encoding="utf-8") == "héllo"
    assert result.bytes_written == len("héllo".encode())
    assert not (tmp_path / "out" / "result.txt.partial").exists()


def test_file_write_respects_overwrite_false(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("original", encoding="utf-8")
    node = _make_node()
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(path=str(target), overwrite=False)))
    assert target.read_text(encoding="utf-8") == "original"
''',
    ),
    Recipe(
        id="sqlite_insert",
        summary="Insert rows into a SQLite table, creating or widening it",
        kinds=EFFECT,
        triggers=(
            r"\binsert",
            r"\b(store|save|persist|record|write)s?\b.*\b(database|sqlite|db|table)\b",
        ),
        category="sqlite",
        action="insert",
        group="sqlite",
        inputs=(
            f("database_path", "str", "SQLite database file"),
            f("rows", "list[dict[str, Any]]", "Rows to insert", []),
        ),
        outputs=(f("rows_inserted", "int", "How many rows were inserted"),),
        samples={"database_path": "data.db", "rows": [{"id": 1, "name": "alpha"}]},
        imports=("import asyncio", "import json", "import sqlite3", "from typing import Any"),
        helpers=("sqlite", "sqlite_insert"),
        io=IoSpec("sqlite_insert", False),
        order=10,
        step='''
values["rows_inserted"] = await asyncio.to_thread(
    _insert_rows,
    input_data.database_path,
    TABLE_NAME,
    input_data.rows,
)
''',
        tests='''
def test_sqlite_insert_stores_rows(tmp_path: Path) -> None:
    database = str(tmp_path / "store.db")
    node = _make_node()
    rows = [{"id": 1, "name": "a"}, {"id": 2, "name": "b", "tags": ["x"]}]
    result = asyncio.run(node.process(_sample_input(database_path=database, rows=rows)))
    assert result.rows_inserted == 2
    connection = sqlite3.connect(database)
    stored = connection.execute(f"SELECT id, name, tags FROM {TABLE} ORDER BY id").fetchall()
    connection.close()
    assert stored == [(1, "a", None), (2, "b", '["x"]')]


def test_sqlite_insert_rejects_unsafe_column_names(tmp_path: Path) -> None:
    database = str(tmp_path / "store.db")
    node = _make_node()
    rows = [{"id); DROP TABLE x; --": 1}]
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(database_path=database, rows=rows)))
''',
    ),
    Recipe(
        id="sqlite_select",
        summary="Query a SQLite table with equality filters and a limit",
        kinds=EFFECT,
        triggers=(
            r"\bquer(y|ies)",
            r"\bselect",
            r"\blook(s)? ?up",
            r"\b(read|load|fetch)s?\b.*\b(database|sqlite|db|table)\b",
        ),
        category="sqlite",
        action="select",
        group="sqlite",
        inputs=(
            f("database_path", "str", "SQLite database file"),
            f("where", "dict[str, Any]", "Column equality filters", {}),
            f("limit", "int", "Most rows to return", 100),
        ),
        outputs=(
            f("rows", "list[dict[str, Any]]", "Matching rows", []),
            f("row_count", "int", "Number of rows returned"),
        ),
        samples={"database_path": "data.db"},
        imports=("import asyncio", "import json", "import sqlite3", "from pathlib import Path"),
        helpers=("sqlite", "sqlite_select"),
        io=IoSpec("sqlite_select", True),
        order=10,
        step='''
if not 1 <= input_data.limit <= 10_000:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        "limit must be between 1 and 10000",
    )
rows = await asyncio.to_thread(
    _select_rows,
    input_data.database_path,
    TABLE_NAME,
    input_data.where,
    input_data.limit,
)
values["rows"] = rows
values["row_count"] = len(rows)
''',
        tests='''
def _seed_database(path: Path) -> str:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(f"CREATE TABLE {TABLE} (id INTEGER, region TEXT)")
        connection.executemany(
            f"INSERT INTO {TABLE} VALUES (?, ?)",
            [(1, "eu"), (2, "us"), (3, "eu")],
        )
    connection.close()
    return str(path)


def test_sqlite_select_filters_rows(tmp_path: Path) -> None:
    database = _seed_database(tmp_path / "seed.db")
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(database_path=database, where={"region": "eu"})))
    assert [row["id"] for row in result.rows] == [1, 3]
    assert result.row_count == 2


def test_sqlite_select_honours_the_limit(tmp_path: Path) -> None:
    database = _seed_database(tmp_path / "seed.db")
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(database_path=database, limit=1)))
    assert result.row_count == 1


def test_sqlite_select_missing_database_is_a_typed_error(tmp_path: Path) -> None:
    node = _make_node()
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(database_path=str(tmp_path / "none.db"))))
''',
    ),
    Recipe(
        id="validate_records",
        summary="Check records for required fields and field types",
        kinds=PURE,
        triggers=(r"\bvalidat", r"\bverif", r"\bcheck"),
        category="records",
        action="validate",
        inputs=(
            RECORDS,
            f("required_fields", "list[str]", "Fields every record must have", []),
            f("field_types", "dict[str, str]", "Field -> str|int|float|bool", {}),
        ),
        outputs=(
            RECORDS_OUT,
            f("errors", "list[str]", "One message per invalid record", []),
            f("valid", "bool", "True when every record passed", True),
        ),
        samples={},
        helpers=("type_ok",),
        records_chain=True,
        order=20,
        step='''
errors: list[str] = []
valid_records: list[dict[str, Any]] = []
for index, record in enumerate(records):
    problems = [f"missing {name}" for name in input_data.required_fields if name not in record]
    for name, type_name in input_data.field_types.items():
        if name in record and not _type_ok(record[name], type_name):
            problems.append(f"{name} is not {type_name}")
    if problems:
        errors.append(f"record {index}: " + ", ".join(problems))
    else:
        valid_records.append(record)
records = valid_records
values["errors"] = errors
values["valid"] = not errors
''',
        tests='''
def test_validate_records_reports_each_bad_record() -> None:
    node = _make_node()
    records = [{"id": 1, "name": "a"}, {"id": "x"}]
    request = _sample_input(
        records=records, required_fields=["id", "name"], field_types={"id": "int"}
    )
    result = asyncio.run(node.process(request))
    assert result.valid is False
    assert result.records == [{"id": 1, "name": "a"}]
    assert result.errors == ["record 1: missing name, id is not int"]


def test_validate_records_accepts_good_records() -> None:
    node = _make_node()
    request = _sample_input(records=[{"id": 1}], required_fields=["id"])
    result = asyncio.run(node.process(request))
    assert result.valid is True
    assert result.errors == []


def test_validate_records_rejects_unknown_type_names() -> None:
    node = _make_node()
    request = _sample_input(records=[{"id": 1}], field_types={"id": "complex"})
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(request))
''',
    ),
    Recipe(
        id="filter_records",
        summary="Keep records matching equality and numeric bound conditions",
        kinds=PURE,
        triggers=(r"\bfilter", r"\bexclud", r"\bonly (keep|records|rows|items)", r"\bwhere\b"),
        category="records",
        action="filter",
        inputs=(
            RECORDS,
            f("equals", "dict[str, Any]", "Field -> required value", {}),
            f("minimum", "dict[str, float]", "Field -> lowest allowed number", {}),
            f("maximum", "dict[str, float]", "Field -> highest allowed number", {}),
        ),
        outputs=(RECORDS_OUT, f("dropped", "int", "How many records were dropped", 0)),
        samples={},
        helpers=("matches",),
        records_chain=True,
        order=21,
        step='''
before = len(records)
records = [
    record
    for record in records
    if _matches(record, input_data.equals, input_data.minimum, input_data.maximum)
]
values["dropped"] = before - len(records)
''',
        tests='''
def test_filter_records_applies_bounds() -> None:
    node = _make_node()
    records = [{"v": 1}, {"v": 5}, {"v": 9}, {"w": 5}]
    request = _sample_input(records=records, minimum={"v": 2}, maximum={"v": 8})
    result = asyncio.run(node.process(request))
    assert result.records == [{"v": 5}]
    assert result.dropped == 3


def test_filter_records_applies_equality() -> None:
    node = _make_node()
    records = [{"k": "a", "n": 1}, {"k": "b", "n": 2}]
    result = asyncio.run(node.process(_sample_input(records=records, equals={"k": "b"})))
    assert result.records == [{"k": "b", "n": 2}]
''',
    ),
    Recipe(
        id="map_records",
        summary="Rename and project record fields",
        kinds=PURE,
        triggers=(r"\brenam", r"\bmap(s|ping)?\b", r"\btransform", r"\bproject", r"\breshap"),
        category="records",
        action="map",
        inputs=(
            RECORDS,
            f("rename", "dict[str, str]", "Old field name -> new field name", {}),
            f("keep_fields", "list[str]", "Fields to keep after renaming (all when empty)", []),
        ),
        outputs=(RECORDS_OUT,),
        samples={},
        records_chain=True,
        order=22,
        step='''
records = [{input_data.rename.get(k, k): v for k, v in record.items()} for record in records]
if input_data.keep_fields:
    records = [{k: r[k] for k in input_data.keep_fields if k in r} for r in records]
''',
        tests='''
def test_map_records_renames_and_projects() -> None:
    node = _make_node()
    records = [{"a": 1, "b": 2, "c": 3}]
    request = _sample_input(records=records, rename={"a": "alpha"}, keep_fields=["alpha", "c"])
    result = asyncio.run(node.process(request))
    assert result.records == [{"alpha": 1, "c": 3}]


def test_map_records_does_not_mutate_the_input() -> None:
    node = _make_node()
    records = [{"a": 1}]
    asyncio.run(node.process(_sample_input(records=records, rename={"a": "z"})))
    assert records == [{"a": 1}]
''',
    ),
    Recipe(
        id="deduplicate_records",
        summary="Drop duplicate records, by key fields or whole record",
        kinds=PURE,
        triggers=(r"\bdedup", r"\bduplicat", r"\bunique", r"\bdistinct"),
        category="records",
        action="deduplicate",
        inputs=(RECORDS, f("key_fields", "list[str]", "Fields that identify a record", [])),
        outputs=(RECORDS_OUT, f("duplicates_removed", "int", "How many duplicates were dropped", 0)),
        samples={},
        imports=("import json",),
        helpers=("identity",),
        records_chain=True,
        order=23,
        step='''
seen: set[str] = set()
unique: list[dict[str, Any]] = []
for record in records:
    identity = _identity(record, input_data.key_fields)
    if identity not in seen:
        seen.add(identity)
        unique.append(record)
values["duplicates_removed"] = len(records) - len(unique)
records = unique
''',
        tests='''
def test_deduplicate_records_by_key() -> None:
    node = _make_node()
    records = [{"id": 1, "v": "a"}, {"id": 1, "v": "b"}, {"id": 2, "v": "c"}]
    result = asyncio.run(node.process(_sample_input(records=records, key_fields=["id"])))
    assert result.records == [{"id": 1, "v": "a"}, {"id": 2, "v": "c"}]
    assert result.duplicates_removed == 1


def test_deduplicate_whole_records() -> None:
    node = _make_node()
    records = [{"id": 1}, {"id": 1}, {"id": 1, "x": 0}]
    result = asyncio.run(node.process(_sample_input(records=records)))
    assert result.duplicates_removed == 1
''',
    ),
    Recipe(
        id="group_by",
        summary="Group records by a key and aggregate a numeric field",
        kinds=PURE,
        triggers=(r"\bgroup", r"\baggregat", r"\bper (region|category|customer|day|user|sku)"),
        category="records",
        action="aggregate",
        inputs=(
            RECORDS,
            f("key_field", "str", "Field to group by (no grouping when empty)", ""),
            f("value_field", "str", "Numeric field to aggregate (count only when empty)", ""),
        ),
        outputs=(
            f("groups", "dict[str, dict[str, float]]", "key -> count, sum, mean, min, max", {}),
        ),
        samples={},
        helpers=("group",),
        records_chain=True,
        order=24,
        step='''
values["groups"] = (
    _group(records, input_data.key_field, input_data.value_field) if input_data.key_field else {}
)
''',
        tests='''
def test_group_by_aggregates_per_key() -> None:
    node = _make_node()
    records = [
        {"region": "eu", "amount": 10},
        {"region": "us", "amount": 5},
        {"region": "eu", "amount": 20},
    ]
    request = _sample_input(records=records, key_field="region", value_field="amount")
    result = asyncio.run(node.process(request))
    assert result.groups["eu"] == {"count": 2, "sum": 30, "min": 10, "max": 20, "mean": 15}
    assert result.groups["us"]["count"] == 1


def test_group_by_rejects_non_numeric_values() -> None:
    node = _make_node()
    records = [{"region": "eu", "amount": "ten"}]
    request = _sample_input(records=records, key_field="region", value_field="amount")
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(request))
''',
    ),
    Recipe(
        id="statistics",
        summary="count, sum, mean, min, max and percentiles of numbers",
        kinds=PURE,
        triggers=(
            r"\bstatistic",
            r"\baverage",
            r"\bmean\b",
            r"\bmedian",
            r"\bpercentile",
            r"\bp\d\d\b",
            r"\bsummar(y|ise|ize) stat",
            r"\b(min|max)(imum)?\b",
        ),
        category="statistics",
        action="summarise",
        inputs=(f("values", "list[float]", "The numbers to summarise"),),
        outputs=(
            f("count", "int", "How many numbers"),
            f("total", "float", "Their sum"),
            f("mean", "float", "Arithmetic mean"),
            f("minimum", "float", "Smallest value"),
            f("maximum", "float", "Largest value"),
            f("percentiles", "dict[str, float]", "pNN -> value", {}),
        ),
        samples={"values": [1.0, 2.0, 3.0, 4.0]},
        imports=("import math",),
        helpers=("percentile",),
        order=30,
        step='''
ordered = sorted(input_data.values)
if not ordered:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        "values must not be empty",
    )
if any(math.isnan(value) for value in ordered):
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        "values must not contain NaN",
    )
total = math.fsum(ordered)
values["count"] = len(ordered)
values["total"] = total
values["mean"] = total / len(ordered)
values["minimum"] = ordered[0]
values["maximum"] = ordered[-1]
values["percentiles"] = {f"p{q:g}": _percentile(ordered, q) for q in PERCENTILES}
''',
        tests='''
def test_statistics_summarise_values() -> None:
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(values=[4.0, 1.0, 3.0, 2.0])))
    assert result.count == 4
    assert result.total == 10.0
    assert result.mean == 2.5
    assert (result.minimum, result.maximum) == (1.0, 4.0)


def test_statistics_percentiles_interpolate() -> None:
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(values=[float(v) for v in range(1, 102)])))
    for key, value in result.percentiles.items():
        assert value == pytest.approx(1 + float(key[1:]))


def test_statistics_reject_empty_input() -> None:
    node = _make_node()
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(values=[])))
''',
    ),
    Recipe(
        id="unit_conversion",
        summary="Convert a quantity between units of one dimension",
        kinds=PURE,
        triggers=(
            r"\bunits?\b",
            r"\bcelsius|\bfahrenheit|\bkelvin",
            r"\bkilomet|\bmiles?\b|\bmetres?\b|\bmeters?\b|\bfeet\b|\binch",
            r"\bkilogram|\bpounds?\b|\bgrams?\b|\bounces?\b|\blitres?\b|\bliters?\b|\bgallons?\b",
        ),
        category="conversion",
        action="convert_units",
        group="conversion",
        inputs=(
            f("value", "float", "The quantity"),
            f("from_unit", "str", "Unit of the quantity"),
            f("to_unit", "str", "Unit to convert to"),
        ),
        outputs=(
            f("converted_value", "float", "The quantity in to_unit"),
            f("unit", "str", "Canonical symbol of to_unit"),
        ),
        samples={"value": 100.0, "from_unit": "km", "to_unit": "mi"},
        helpers=("units",),
        order=30,
        step='''
values["converted_value"] = _convert_units(
    input_data.value,
    input_data.from_unit,
    input_data.to_unit,
)
values["unit"] = _canonical_unit(input_data.to_unit)
''',
        tests='''
def test_unit_conversion_length() -> None:
    node = _make_node()
    request = _sample_input(value=100.0, from_unit="kilometres", to_unit="miles")
    result = asyncio.run(node.process(request))
    assert result.converted_value == pytest.approx(62.137119, rel=1e-6)
    assert result.unit == "mi"


def test_unit_conversion_temperature() -> None:
    node = _make_node()
    request = _sample_input(value=100.0, from_unit="Celsius", to_unit="fahrenheit")
    result = asyncio.run(node.process(request))
    assert result.converted_value == pytest.approx(212.0)


def test_unit_conversion_rejects_mixed_dimensions() -> None:
    node = _make_node()
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(value=1.0, from_unit="kg", to_unit="km")))
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(value=1.0, from_unit="parsec", to_unit="km")))
''',
    ),
    Recipe(
        id="currency_conversion",
        summary="Convert an amount between currencies using a rates table from the input",
        kinds=PURE,
        triggers=(
            r"\bcurrenc",
            r"\bconvert\w*\b.*\b(usd|eur|gbp|jpy|chf|dollars?|euros?|pounds sterling)\b",
            r"\bexchange rates? (table|given|provided)",
        ),
        category="conversion",
        action="convert_currency",
        group="conversion",
        inputs=(
            f("amount", "float", "Amount in from_currency"),
            f("from_currency", "str", "ISO code of the amount"),
            f("to_currency", "str", "ISO code to convert to"),
            f("rates", "dict[str, float]", "Currency -> units per one unit of a base"),
        ),
        outputs=(
            f("converted_amount", "float", "Amount in to_currency"),
            f("rate", "float", "Applied rate from_currency -> to_currency"),
        ),
        samples={
            "amount": 100.0,
            "from_currency": "USD",
            "to_currency": "EUR",
            "rates": {"USD": 1.0, "EUR": 0.9},
        },
        helpers=("exchange_rate",),
        order=30,
        step='''
rate = _exchange_rate(input_data.rates, input_data.from_currency, input_data.to_currency)
values["rate"] = rate
values["converted_amount"] = round(input_data.amount * rate, 6)
''',
        tests='''
def test_currency_conversion_uses_the_rates_table() -> None:
    node = _make_node()
    rates = {"USD": 1.0, "EUR": 0.9, "GBP": 0.75}
    request = _sample_input(amount=90.0, from_currency="eur", to_currency="GBP", rates=rates)
    result = asyncio.run(node.process(request))
    assert result.converted_amount == pytest.approx(75.0)
    assert result.rate == pytest.approx(0.75 / 0.9)


def test_currency_conversion_missing_rate_is_a_typed_error() -> None:
    node = _make_node()
    request = _sample_input(from_currency="USD", to_currency="XYZ", rates={"USD": 1.0})
    with pytest.raises(__ERROR__) as caught:
        asyncio.run(node.process(request))
    assert caught.value.code == "ONEX_CORE_001_INVALID_PARAMETER"
''',
    ),
    Recipe(
        id="fsm_reducer",
        summary="Finite-state machine: state + events -> new state + intents",
        kinds=REDUCER,
        triggers=(
            r"state machine",
            r"\bfsm\b",
            r"\btransition",
            r"\blifecycle",
            r"\bstatus(es)?\b",
            r"->",
            r"\bworkflow state",
        ),
        category="state",
        action="transition",
        group="reducer",
        inputs=(
            f("state", "str", "Current state", "__INITIAL__"),
            f("events", "list[str]", "Events to apply in order", []),
        ),
        outputs=(
            f("state", "str", "State after the events"),
            f("intents", "list[dict[str, Any]]", "Side effects for an effect node to run", []),
            f("rejected_events", "list[str]", "Events not allowed in their state", []),
        ),
        samples={},
        helpers=("transitions",),
        order=40,
        step='''
state = input_data.state
if state not in TRANSITIONS:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"unknown state {state!r}",
    )
intents: list[dict[str, Any]] = []
rejected: list[str] = []
for event in input_data.events:
    target = TRANSITIONS[state].get(event)
    if target is None:
        rejected.append(event)
        continue
    intents.append({"type": "state_changed", "event": event, "from": state, "to": target})
    state = target
values["state"] = state
values["intents"] = intents
values["rejected_events"] = rejected
''',
        tests='''
def test_fsm_reducer_applies_a_valid_event() -> None:
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(state=__FIRST_STATE__, events=[__FIRST_EVENT__])))
    assert result.state == __FIRST_TARGET__
    assert result.intents[0]["to"] == __FIRST_TARGET__
    assert result.rejected_events == []


def test_fsm_reducer_rejects_events_not_allowed() -> None:
    node = _make_node()
    events = ["no_such_event"]
    result = asyncio.run(node.process(_sample_input(state=__FIRST_STATE__, events=events)))
    assert result.state == __FIRST_STATE__
    assert result.rejected_events == ["no_such_event"]
    assert result.intents == []


def test_fsm_reducer_unknown_state_is_a_typed_error() -> None:
    node = _make_node()
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(state="no_such_state", events=[])))


def test_fsm_reducer_is_pure() -> None:
    node = _make_node()
    request = _sample_input(state=__FIRST_STATE__, events=[__FIRST_EVENT__])
    first = asyncio.run(node.process(request))
    second = asyncio.run(node.process(request))
    assert first == second
    assert request.state == __FIRST_STATE__
''',
    ),
    Recipe(
        id="accumulate_reducer",
        summary="Running totals per key with threshold intents",
        kinds=REDUCER,
        triggers=(
            r"\btotal",
            r"\btally",
            r"\baccumulat",
            r"\bbalance",
            r"\bstock levels?",
            r"\bcounter",
            r"\bthreshold",
        ),
        category="state",
        action="accumulate",
        group="reducer",
        inputs=(
            f("totals", "dict[str, float]", "Current total per key", {}),
            f("events", "list[dict[str, Any]]", 'Events {"key": str, "amount": number}', []),
        ),
        outputs=(
            f("totals", "dict[str, float]", "Totals after the events", {}),
            f("intents", "list[dict[str, Any]]", "Threshold alerts for an effect node", []),
        ),
        samples={"events": [{"key": "widget", "amount": 5}]},
        helpers=("threshold",),
        order=40,
        step='''
totals = dict(input_data.totals)
intents: list[dict[str, Any]] = []
for index, event in enumerate(input_data.events):
    key, amount = _delta(index, event)
    before = totals.get(key, 0.0)
    totals[key] = before + amount
    if LOW_THRESHOLD is not None and before >= LOW_THRESHOLD > totals[key]:
        intents.append(
            {"type": "below_threshold", "key": key, "total": totals[key], "limit": LOW_THRESHOLD}
        )
values["totals"] = totals
values["intents"] = intents
''',
        tests='''
def test_accumulate_reducer_sums_per_key() -> None:
    node = _make_node()
    events = [{"key": "a", "amount": 5}, {"key": "b", "amount": 2}, {"key": "a", "amount": -1}]
    request = _sample_input(totals={"a": 1.0}, events=events)
    result = asyncio.run(node.process(request))
    assert result.totals == {"a": 5.0, "b": 2.0}
    assert request.totals == {"a": 1.0}


def test_accumulate_reducer_emits_threshold_intents() -> None:
    node = _make_node()
    start = __THRESHOLD_VALUE__ + 1
    events = [{"key": "a", "amount": -2}]
    result = asyncio.run(node.process(_sample_input(totals={"a": start}, events=events)))
    assert [intent["type"] for intent in result.intents] == ["below_threshold"]


def test_accumulate_reducer_rejects_bad_events() -> None:
    node = _make_node()
    with pytest.raises(__ERROR__):
        asyncio.run(node.process(_sample_input(events=[{"key": "a", "amount": "x"}])))
''',
    ),
    Recipe(
        id="orchestrate_sequential",
        summary="Run child steps one after another with retries, passing outputs forward",
        kinds=ORCHESTRATOR,
        triggers=(
            r"\bsequen",
            r"\bin order\b",
            r"\bthen\b",
            r"\bpipeline",
            r"\bone after another",
            r"\bchain",
            r"\bcoordinat",
            r"\borchestrat",
        ),
        category="workflow",
        action="run_sequential",
        group="orchestrator",
        inputs=(
            f("steps", "list[str]", "Names of the child steps to run, in order"),
            f("payload", "dict[str, Any]", "Initial payload", {}),
        ),
        outputs=(
            f("results", "dict[str, Any]", "Output of each step", {}),
            f("actions", "list[dict[str, Any]]", "Emitted actions, one per attempt", []),
            f("payload", "dict[str, Any]", "Payload merged with every step's output", {}),
        ),
        samples={"steps": ["extract", "transform", "load"]},
        imports=("from collections.abc import Awaitable, Callable, Mapping",),
        helpers=("run_step",),
        init=("handlers", "max_attempts"),
        order=40,
        step='''
unknown = [name for name in input_data.steps if name not in self._handlers]
if unknown or not input_data.steps:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"steps must name registered handlers; unknown: {unknown}",
    )
actions: list[dict[str, Any]] = []
payload = dict(input_data.payload)
results: dict[str, Any] = {}
for name in input_data.steps:
    output = await _run_step(name, self._handlers[name], payload, self.max_attempts, actions)
    results[name] = output
    payload.update(output)
values["results"] = results
values["actions"] = actions
values["payload"] = payload
''',
        tests='''
def test_orchestrate_sequential_passes_outputs_forward() -> None:
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(steps=["extract", "transform", "load"])))
    assert result.results["transform"] == {"doubled": [2, 4, 6]}
    assert result.payload["loaded"] is True
    assert [a["step"] for a in result.actions] == ["extract", "transform", "load"]
''',
    ),
    Recipe(
        id="orchestrate_parallel",
        summary="Run child steps concurrently with retries and collect their outputs",
        kinds=ORCHESTRATOR,
        triggers=(r"\bparallel", r"\bconcurren", r"\bfan.?out", r"\bat the same time", r"\bsimultan"),
        category="workflow",
        action="run_parallel",
        group="orchestrator",
        inputs=(
            f("steps", "list[str]", "Names of the child steps to run concurrently"),
            f("payload", "dict[str, Any]", "Payload given to every step", {}),
        ),
        outputs=(
            f("results", "dict[str, Any]", "Output of each step", {}),
            f("actions", "list[dict[str, Any]]", "Emitted actions, one per attempt", []),
            f("payload", "dict[str, Any]", "Payload merged with every step's output", {}),
        ),
        samples={"steps": ["extract", "transform", "load"]},
        imports=("import asyncio", "from collections.abc import Awaitable, Callable, Mapping"),
        helpers=("run_step",),
        init=("handlers", "max_attempts"),
        order=40,
        step='''
unknown = [name for name in input_data.steps if name not in self._handlers]
if unknown or not input_data.steps:
    raise __ERROR__(
        ERROR_INVALID_PARAMETER,
        f"steps must name registered handlers; unknown: {unknown}",
    )
actions: list[dict[str, Any]] = []
payload = dict(input_data.payload)
outputs = await asyncio.gather(
    *(
        _run_step(name, self._handlers[name], payload, self.max_attempts, actions)
        for name in input_data.steps
    ),
    return_exceptions=True,
)
failures = [output for output in outputs if isinstance(output, BaseException)]
if failures:
    raise failures[0]
results: dict[str, Any] = {}
for name, output in zip(input_data.steps, outputs, strict=True):
    results[name] = output
    payload.update(output)
values["results"] = results
values["actions"] = actions
values["payload"] = payload
''',
        tests='''
def test_orchestrate_parallel_runs_every_step() -> None:
    node = _make_node()
    result = asyncio.run(node.process(_sample_input(steps=["extract", "transform", "load"])))
    assert result.results["transform"] == {"doubled": [2]}
    assert result.payload["rows"] == [1, 2, 3]
    assert sorted(a["step"] for a in result.actions) == ["extract", "load", "transform"]
''',
    ),
)

ORCHESTRATOR_TESTS = '''
def test_orchestrator_retries_a_flaky_step() -> None:
    calls: list[int] = []

    async def flaky(payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("transient")
        return {"ok": True}

    node = _make_node(handlers={"flaky": flaky}, max_attempts=2)
    result = asyncio.run(node.process(_sample_input(steps=["flaky"])))
    assert result.results == {"flaky": {"ok": True}}
    assert [a["ok"] for a in result.actions] == [False, True]


def test_orchestrator_gives_up_with_a_typed_error() -> None:
    async def broken(payload: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("down")

    node = _make_node(handlers={"broken": broken}, max_attempts=2)
    with pytest.raises(__ERROR__) as caught:
        asyncio.run(node.process(_sample_input(steps=["broken"])))
    assert caught.value.code == "ONEX_CORE_002_OPERATION_FAILED"


def test_orchestrator_unknown_step_is_a_typed_error() -> None:
    node = _make_node()
    with pytest.raises(__ERROR__) as caught:
        asyncio.run(node.process(_sample_input(steps=["nope"])))
    assert caught.value.code == "ONEX_CORE_001_INVALID_PARAMETER"
'''

HTTP_CACHE_TEST = '''
def test_ttl_cache_avoids_repeat_requests() -> None:
    calls: list[str] = []

    def counting(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(200, json={"n": len(calls)})

    now = [0.0]
    node = _make_node(transport=httpx.MockTransport(counting), clock=lambda: now[0])
    first = asyncio.run(node.process(_sample_input()))
    second = asyncio.run(node.process(_sample_input()))
    assert first.data == second.data == {"n": 1}
    assert len(calls) == 1
    now[0] += __TTL__ + 1
    assert asyncio.run(node.process(_sample_input())).data == {"n": 2}
'''

BY_ID: dict[str, Recipe] = {recipe.id: recipe for recipe in RECIPES}
CATALOGUE_IDS: tuple[str, ...] = tuple(BY_ID)
