"""Prompt parsing for `local-rules`: node kind, name, domain, parameters and recipes.

Everything is keyword and regex rules over the lower-cased prompt, so the same request always gives
the same analysis. Precedence: explicit request fields win over what the prompt says, and an explicit
"<kind> node" in the prompt wins over kind keywords.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from nodegen.artifacts import FieldSpec, IntelligenceResponse, NodeKind, PatternHit, PrdAnalysis
from nodegen.offline.recipes import BY_ID, RECIPES, Recipe
from nodegen.request import NodeRequest

RESERVED_NAMES = frozenset({"node", "models", "tests", "test", "self", "input", "output"})

KIND_KEYWORDS: dict[NodeKind, tuple[str, ...]] = {
    NodeKind.EFFECT: (
        r"\bfetch",
        r"\bhttp",
        r"\bapi\b",
        r"\burl\b",
        r"download",
        r"\bpost",
        r"webhook",
        r"\bfiles?\b",
        r"\bdisk\b",
        r"\bdatabase",
        r"\bsqlite",
        r"\bsql\b",
        r"\bpersist",
        r"\bcach",
        r"\bsend",
    ),
    NodeKind.REDUCER: (
        r"state machine",
        r"\bfsm\b",
        r"\breduc",
        r"\btransition",
        r"\blifecycle",
        r"\baccumulat",
        r"running total",
        r"\btally",
    ),
    NodeKind.ORCHESTRATOR: (
        r"\borchestrat",
        r"\bcoordinat",
        r"\bworkflow",
        r"\bsteps\b",
        r"\bfan.?out",
        r"\bsub.?nodes?\b",
        r"\bchild nodes?\b",
    ),
}

DOMAIN_KEYWORDS: dict[str, tuple[str, ...]] = {
    "finance": (
        "currenc",
        "exchange rate",
        "price",
        "payment",
        "invoice",
        "bank",
        "transaction",
        "usd",
        "eur",
        "ledger",
        "balance",
    ),
    "weather": ("weather", "temperature", "forecast", "celsius", "fahrenheit", "humidity", "rain"),
    "inventory": ("inventory", "stock level", "warehouse", "sku", "restock", "stock"),
    "users": ("user", "account", "profile", "login", "signup", "customer"),
    "orders": ("order", "cart", "checkout", "shipment", "shipping", "delivery"),
    "analytics": ("analytics", "metric", "statistic", "percentile", "latency", "report", "kpi"),
    "iot": ("sensor", "device", "telemetry", "iot", "reading"),
    "logistics": ("distance", "route", "kilomet", "miles", "freight", "parcel"),
}

# Cosine similarity (MiniLM, prompt to prompt) from which a retrieved pattern's recipes are
# followed for a request that fired no trigger. Calibrated on examples/paraphrases
# (benchmarks/bench_learning.py): 14 of the 16 score 0.63-0.92 against their originals (two score
# 0.51 and 0.56), while the unrelated requests tried score at most 0.53 against their nearest
# pattern (some of them are in tests/patterns/test_follow_patterns.py).
FOLLOW_PATTERN_MIN_SIMILARITY = 0.6

# Capabilities no recipe can honestly provide: any of these makes the request out of catalogue.
UNSUPPORTED = (
    r"\baudio\b",
    r"\bvideo",
    r"\bimages?\b",
    r"\bspeech",
    r"\btranscri",
    r"\btranslat",
    r"\bocr\b",
    r"\bpdf",
    r"\bneural",
    r"\bmachine learning",
    r"\btrain(s|ing)? (a )?model",
    r"\bsentiment",
    r"\bsummari[sz]e (the )?text",
    r"\bface",
    r"\bblockchain",
    r"\bsmtp\b|\bsend(s|ing)? (an? |the )?e-?mails?\b",
)

STOPWORDS = frozenset(
    """a an the that which who this these those it its them they node nodes effect compute reducer
    orchestrator generic and or but of to for from in on at by with over into onto as is are be
    been being will would should can could must may might do does did make makes create creates
    build builds generate generates write writes please i we you my our your some any each every
    all using use uses via per when then than also so such new given returns return produce
    produces one two three four five six seven eight nine ten minutes minute seconds second hours
    hour http https api""".split()
)

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
}
UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600}
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")"
_DURATION = re.compile(_NUMBER + r"[\s-]*(seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h)\b")
_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#@!$&*+,;=%-]+")
_CURRENCY = re.compile(r"\b(USD|EUR|GBP|JPY|CHF|CAD|AUD|CNY|INR|SEK|NOK|BRL|MXN)\b")
_STATE_CHAIN = re.compile(r"\b[a-z][a-z_]*(?:\s*->\s*[a-z][a-z_]*)+")
_UNIT_WORDS = (
    "celsius|fahrenheit|kelvin|kilometres|kilometers|kilometre|kilometer|km|miles|mile|metres|meters|"
    "metre|meter|feet|foot|inches|inch|kilograms|kilogram|kg|pounds|pound|lbs|grams|gram|ounces|ounce|"
    "litres|liters|litre|liter|gallons|gallon"
)
_UNIT_PAIR = re.compile(rf"\b({_UNIT_WORDS})\b\s*(?:to|into|->|and)\s*\b({_UNIT_WORDS})\b")

DEFAULT_TRANSITIONS: dict[str, dict[str, str]] = {
    "idle": {"start": "running"},
    "running": {"pause": "paused", "complete": "completed", "fail": "failed"},
    "paused": {"resume": "running", "cancel": "cancelled"},
    "completed": {},
    "failed": {"retry": "running"},
    "cancelled": {},
}


def _number(token: str) -> float:
    return float(NUMBER_WORDS.get(token, 0) or token)


def infer_kind(request: NodeRequest, text: str) -> NodeKind:
    """request.node_type, else "<kind> node" in the prompt, else kind keywords, else compute."""
    if request.node_type is not None:
        return request.node_type
    explicit = re.search(r"\b(effect|compute|reducer|orchestrator)\b", text)
    if explicit:
        return NodeKind(explicit.group(1))
    scores = {
        kind: sum(1 for pattern in patterns if re.search(pattern, text))
        for kind, patterns in KIND_KEYWORDS.items()
    }
    best = max(scores.values())
    if best == 0:
        return NodeKind.COMPUTE
    return next(kind for kind, score in scores.items() if score == best)


def infer_domain(request: NodeRequest, text: str) -> str:
    if request.domain:
        return request.domain
    scores = {
        domain: sum(text.count(word) for word in words) for domain, words in DOMAIN_KEYWORDS.items()
    }
    best = max(scores.values())
    if best == 0:
        return "generic"
    return next(domain for domain, score in scores.items() if score == best)


def derive_name(request: NodeRequest, text: str) -> str:
    """request.name, else 2-3 content words of the prompt in snake_case (2-40 chars, not reserved)."""
    if request.name:
        return request.name
    words = [
        w
        for w in re.findall(r"[a-z][a-z0-9]*", _URL.sub(" ", text))
        if w not in STOPWORDS and len(w) > 1
    ]
    name = ""
    for word in words[:3]:
        candidate = f"{name}_{word}" if name else word
        if len(candidate) > 40:
            break
        name = candidate
    if len(name) < 2:
        name = "generated"
    if keyword.iskeyword(name) or name in RESERVED_NAMES:
        name = f"{name}_op"
    return name[:40].rstrip("_")


def extract_parameters(text: str, original: str) -> dict[str, Any]:
    """Numbers, names and units found in the prompt (ttl, url, table, percentiles, states...)."""
    params: dict[str, Any] = {}
    for match in _DURATION.finditer(text):
        unit = match.group(2).rstrip("s") or "s"
        seconds = _number(match.group(1)) * UNIT_SECONDS.get(unit, UNIT_SECONDS.get(unit[:3], 1))
        before = text[max(0, match.start() - 30) : match.start()]
        key = "timeout_seconds" if "timeout" in before or "time out" in before else "ttl_seconds"
        params.setdefault(key, int(seconds) if seconds == int(seconds) else seconds)
    url = _URL.search(original)
    if url:
        params["url"] = url.group(0).rstrip(".,;:!?)")
    table = re.search(r"\btable (?:named |called )?[`'\"]?([a-z_][a-z0-9_]*)", text) or re.search(
        r"\b(?:the|a|an|into|in|from) [`'\"]?([a-z_][a-z0-9_]*)[`'\"]? table\b", text
    )
    if table and table.group(1) not in STOPWORDS:
        params["table"] = table.group(1)
    retries = re.search(_NUMBER + r"\s*(?:retries|attempts|tries|times)", text)
    if retries:
        params["max_attempts"] = max(1, min(10, int(_number(retries.group(1)))))
    percentiles = sorted(
        {int(p) for p in re.findall(r"\bp(\d{1,2})\b", text)}
        | {int(p) for p in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)? percentile", text)}
        | ({50} if "median" in text else set())
    )
    if percentiles:
        params["percentiles"] = percentiles
    units = _UNIT_PAIR.search(text)
    if units:
        params["from_unit"], params["to_unit"] = units.group(1), units.group(2)
    currencies = list(dict.fromkeys(_CURRENCY.findall(original.upper())))
    if currencies:
        params["currencies"] = currencies
    chain = _STATE_CHAIN.search(text)
    if chain:
        params["states"] = [s.strip() for s in chain.group(0).split("->")]
    threshold = re.search(r"\b(?:below|under|less than|threshold of|drops? below)\s+(\d+(?:\.\d+)?)", text)
    if threshold:
        params["threshold"] = float(threshold.group(1))
    group = re.search(r"\bgroup(?:ed|s)? by ([a-z_][a-z0-9_]*)", text) or re.search(
        r"\bper ([a-z_][a-z0-9_]*)", text
    )
    if group and group.group(1) not in STOPWORDS:
        params["group_key"] = group.group(1)
    if "parallel" in text or "concurrent" in text:
        params["mode"] = "parallel"
    return params


def match_recipes(text: str, kind: NodeKind) -> list[str]:
    """Recipe ids whose triggers fire and whose kinds allow `kind`; one per exclusive group."""
    scored: list[tuple[int, int, Recipe]] = []
    for position, recipe in enumerate(RECIPES):
        if kind not in recipe.kinds:
            continue
        score = sum(1 for pattern in recipe.triggers if re.search(pattern, text))
        if score:
            scored.append((score, position, recipe))
    chosen: dict[str, Recipe] = {}
    for score, position, recipe in sorted(scored, key=lambda item: (-item[0], item[1])):
        slot = recipe.group or recipe.id
        chosen.setdefault(slot, recipe)
        del score, position
    if any(r.io is not None for r in chosen.values()):
        # I/O recipes produce their own rows/data, not `records`: a record chain cannot follow them.
        chosen = {slot: r for slot, r in chosen.items() if not r.records_chain}
    if kind == NodeKind.EFFECT and "ttl_cache" in {r.id for r in chosen.values()}:
        if not any(r.io is not None for r in chosen.values()):
            chosen.pop("ttl_cache", None)
    recipes = sorted(chosen.values(), key=lambda r: (r.order, RECIPES.index(r)))
    return [recipe.id for recipe in recipes]


def transitions_from(params: dict[str, Any], text: str) -> tuple[str, dict[str, dict[str, str]]]:
    """A transition table from "a -> b -> c" in the prompt (events are named after targets)."""
    states: list[str] = params.get("states") or []
    if len(states) < 2:
        return "idle", DEFAULT_TRANSITIONS
    table: dict[str, dict[str, str]] = {state: {} for state in states}
    for source, target in zip(states, states[1:], strict=False):
        table[source][target] = target
    if "cancel" in text:
        for state in states[:-1]:
            table[state]["cancel"] = "cancelled"
        table.setdefault("cancelled", {})
    return states[0], table


def _fields(recipes: list[Recipe], attr: str) -> list[FieldSpec]:
    fields: dict[str, FieldSpec] = {}
    for recipe in recipes:
        for spec in getattr(recipe, attr):
            fields.setdefault(spec.name, spec)
    return list(fields.values())


def fields_for(recipe_ids: list[str], params: dict[str, Any]) -> tuple[list[FieldSpec], list[FieldSpec]]:
    """Input and output fields of the chosen recipes, with prompt parameters as defaults."""
    recipes = [BY_ID[r] for r in recipe_ids]
    inputs = _fields(recipes, "inputs")
    outputs = _fields(recipes, "outputs")
    initial = transitions_from(params, "")[0]
    overrides: dict[str, Any] = {}
    if "url" in params:
        overrides["url"] = params["url"]
    if "group_key" in params:
        overrides["key_field"] = params["group_key"]
    adjusted = []
    for spec in inputs:
        if spec.default == "__INITIAL__":
            spec = spec.model_copy(update={"default": initial})
        if spec.name in overrides:
            spec = spec.model_copy(update={"default": overrides[spec.name], "required": False})
        adjusted.append(spec)
    if not recipe_ids:
        adjusted = [FieldSpec(name="payload", type="dict[str, Any]", description="Request data")]
        outputs = [FieldSpec(name="result", type="dict[str, Any]", description="What was asked for")]
    return adjusted, outputs


def describe(request: NodeRequest) -> str:
    text = " ".join(request.prompt.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first[:240]


def follow_pattern(intelligence: IntelligenceResponse, kind: NodeKind) -> PatternHit | None:
    """The closest retrieved pattern this model can rebuild: same kind, similar enough, and built
    only from catalogue recipes that fit the kind. Lets a request whose wording fires no recipe
    trigger be built the way an earlier, differently worded success was."""
    hits = sorted(intelligence.patterns_found, key=lambda h: (-h.similarity, h.pattern_id))
    for hit in hits:
        if hit.similarity < FOLLOW_PATTERN_MIN_SIMILARITY:
            break
        recipes = hit.recipe_ids
        if hit.node_kind == kind and recipes and all(
            r in BY_ID and kind in BY_ID[r].kinds for r in recipes
        ):
            return hit
    return None


def analyse(request: NodeRequest, intelligence: IntelligenceResponse | None) -> tuple[PrdAnalysis, list[str]]:
    """The PRD analysis of a request, plus the ids of the patterns that shaped it."""
    original = " ".join(request.prompt.split())
    text = original.lower()
    kind = infer_kind(request, text)
    params = extract_parameters(text, original)
    unsupported = [p for p in UNSUPPORTED if re.search(p, text)]
    operations = [] if unsupported else match_recipes(text, kind)
    patterns_used: list[str] = []
    if not operations and not unsupported and intelligence is not None:
        hit = follow_pattern(intelligence, kind)
        if hit is not None:
            operations = sorted(hit.recipe_ids, key=lambda r: (BY_ID[r].order, RECIPES.index(BY_ID[r])))
            patterns_used.append(hit.pattern_id)
            params["followed_pattern"] = hit.pattern_id
    if unsupported:
        params["unsupported"] = [re.sub(r"\\b|[()?|]", "", p) for p in unsupported]
    inputs, outputs = fields_for(operations, params)
    prd = PrdAnalysis(
        name=derive_name(request, text),
        node_kind=kind,
        domain=infer_domain(request, text),
        description=describe(request),
        operations=operations,
        input_fields=inputs,
        output_fields=outputs,
        parameters=params,
        in_catalogue=bool(operations),
    )
    return prd, patterns_used
