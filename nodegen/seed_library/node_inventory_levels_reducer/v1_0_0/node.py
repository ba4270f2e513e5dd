"""Reducer: stock movements -> stock levels + reorder intents."""

from __future__ import annotations

from .models.model_inventory_levels_input import ModelInventoryLevelsInput
from .models.model_inventory_levels_output import ModelInventoryLevelsOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeInventoryLevelsReducer:
    """Reducer: stock movements -> stock levels + reorder intents."""

    async def process(self, input_data: ModelInventoryLevelsInput) -> ModelInventoryLevelsOutput:
        levels = dict(input_data.levels)
        for event in input_data.events:
            sku, qty, kind = event.get("sku"), int(event.get("qty", 0)), event.get("type")
            if not sku:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "event without sku")
            current = levels.get(sku, 0)
            if kind == "received":
                levels[sku] = current + qty
            elif kind == "sold":
                if qty > current:
                    raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"oversold {sku}")
                levels[sku] = current - qty
            elif kind == "adjusted":
                levels[sku] = max(0, current + qty)
            else:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"unknown event {kind!r}")
        intents = [
            {"type": "reorder", "sku": sku, "quantity": point * 2 - levels.get(sku, 0)}
            for sku, point in sorted(input_data.reorder_points.items())
            if levels.get(sku, 0) < point
        ]
        return ModelInventoryLevelsOutput(levels=levels, intents=intents)
