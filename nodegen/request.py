"""Request files: parsing, validation and identity (DESIGN.md, Request files).

Everything here treats the file as hostile: size is capped before reading, YAML is parsed with the
safe loader without alias expansion, unknown fields are an error, and the name can never carry a
path. A request's id is derived from its normalised content so the same content is one request.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nodegen.artifacts import NodeKind
from nodegen.errors import RequestError
from nodegen.stages import Stage

MAX_REQUEST_BYTES = 1024 * 1024
MAX_NESTING = 20
REQUEST_SUFFIXES = (".json", ".yaml", ".yml")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


class NodeRequest(BaseModel):
    """A user's request for one node."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    prompt: str = Field(min_length=10, max_length=20_000)
    name: str | None = None
    node_type: NodeKind | None = None
    domain: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,40}$")
    id: str | None = None
    stage_models: dict[Stage, str] = Field(default_factory=dict)

    @field_validator("prompt")
    @classmethod
    def _printable_prompt(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("prompt contains a NUL character")
        return value

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _NAME.match(value):
            raise ValueError(
                "name must be snake_case ASCII: a lowercase letter, then 1-62 of [a-z0-9_] "
                "(no path separators, dots or spaces)"
            )
        if keyword.iskeyword(value) or value in {"node", "models", "tests", "test"}:
            raise ValueError(f"name {value!r} is a reserved word")
        return value

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str | None) -> str | None:
        if value is not None and not _ID.match(value):
            raise ValueError("id must match [a-z0-9][a-z0-9_-]{0,63}")
        return value

    @property
    def request_id(self) -> str:
        """The explicit id, else a content hash (so identical content is one request)."""
        return self.id or f"req-{self.content_hash[:12]}"

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(
            self.model_dump(mode="json", exclude={"id"}), sort_keys=True, ensure_ascii=True
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def partition_key_for(request: NodeRequest) -> str:
    """A Dagster partition key: [a-z0-9_-] only, so no commas, slashes or spaces."""
    return request.request_id


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


class _NoAliasSafeLoader(yaml.SafeLoader):
    """Safe loader that refuses anchors/aliases, so a 'billion laughs' file cannot expand."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases are not allowed in request files", event.start_mark
            )
        return super().compose_node(parent, index)


def parse_request_bytes(data: bytes, *, source: str = "<request>") -> NodeRequest:
    """Validate raw request content. Raises RequestError with one clear message."""
    if len(data) > MAX_REQUEST_BYTES:
        raise RequestError(f"{source}: file is {len(data)} bytes; the limit is {MAX_REQUEST_BYTES}")
    if not data.strip():
        raise RequestError(f"{source}: file is empty")
    if b"\x00" in data:
        raise RequestError(f"{source}: file is binary (contains NUL bytes), expected JSON or YAML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RequestError(f"{source}: file is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    is_json = source.endswith(".json") or text.lstrip().startswith(("{", "["))
    try:
        raw = json.loads(text) if is_json else yaml.load(text, Loader=_NoAliasSafeLoader)  # noqa: S506
    except json.JSONDecodeError as exc:
        raise RequestError(f"{source}: malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise RequestError(f"{source}: document is nested too deeply") from exc
    except yaml.YAMLError as exc:
        raise RequestError(f"{source}: malformed YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(raw, dict):
        raise RequestError(f"{source}: expected a mapping with a 'prompt' field, got {type(raw).__name__}")
    if _depth(raw) > MAX_NESTING:
        raise RequestError(f"{source}: document is nested deeper than {MAX_NESTING} levels")
    try:
        return NodeRequest.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise RequestError(f"{source}: invalid request: {problems}") from exc


def load_request_file(path: Path) -> NodeRequest:
    """Read and validate one request file, refusing oversized files before reading them."""
    try:
        size = path.stat().st_size
        if size > MAX_REQUEST_BYTES:
            raise RequestError(f"{path.name}: file is {size} bytes; the limit is {MAX_REQUEST_BYTES}")
        with path.open("rb") as handle:
            data = handle.read(MAX_REQUEST_BYTES + 1)
    except OSError as exc:
        raise RequestError(f"{path.name}: cannot read file: {exc.strerror}") from exc
    return parse_request_bytes(data, source=path.name)
