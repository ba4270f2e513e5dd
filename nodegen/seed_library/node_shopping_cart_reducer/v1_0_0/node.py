"""Reducer: cart state + events -> new cart state + intents."""

from __future__ import annotations

from .models.model_shopping_cart_input import ModelShoppingCartInput
from .models.model_shopping_cart_output import ModelShoppingCartOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeShoppingCartReducer:
    """Reducer: cart state + events -> new cart state + intents."""

    async def process(self, input_data: ModelShoppingCartInput) -> ModelShoppingCartOutput:
        cart = {sku: dict(line) for sku, line in input_data.state.items()}
        for event in input_data.events:
            kind = event.get("type")
            sku = event.get("sku", "")
            if kind == "add":
                qty = int(event.get("qty", 1))
                if qty <= 0:
                    raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "qty must be positive")
                line = cart.setdefault(sku, {"qty": 0, "price": float(event["price"])})
                line["qty"] += qty
            elif kind == "remove":
                if sku in cart:
                    cart[sku]["qty"] -= int(event.get("qty", cart[sku]["qty"]))
                    if cart[sku]["qty"] <= 0:
                        del cart[sku]
            elif kind == "clear":
                cart = {}
            else:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"unknown event {kind!r}")
        total = round(sum(line["qty"] * line["price"] for line in cart.values()), 2)
        intents = [{"type": "checkout_ready", "total": total}] if cart else []
        return ModelShoppingCartOutput(state=cart, total=total, intents=intents)
