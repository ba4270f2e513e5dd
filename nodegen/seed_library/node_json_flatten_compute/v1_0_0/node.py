"""Pure compute: nested JSON to dotted keys."""

from __future__ import annotations

from typing import Any

from .models.model_json_flatten_input import ModelJsonFlattenInput
from .models.model_json_flatten_output import ModelJsonFlattenOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeJsonFlattenCompute:
    """Pure compute: nested JSON to dotted keys."""

    async def process(self, input_data: ModelJsonFlattenInput) -> ModelJsonFlattenOutput:
        flat: dict[str, Any] = {}
        sep = input_data.separator
        stack: list[tuple[str, Any, int]] = [("", input_data.document, 0)]
        while stack:
            prefix, value, depth = stack.pop()
            if depth > input_data.max_depth:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"deeper than {depth - 1}")
            if isinstance(value, dict) and value:
                items = [(str(k), v) for k, v in value.items()]
            elif isinstance(value, list) and value:
                items = [(str(i), v) for i, v in enumerate(value)]
            else:
                flat[prefix] = value
                continue
            for key, child in reversed(items):
                stack.append((f"{prefix}{sep}{key}" if prefix else key, child, depth + 1))
        return ModelJsonFlattenOutput(flat=dict(sorted(flat.items())))
