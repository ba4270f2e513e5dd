"""Pure compute: HMAC-SHA256 sign and verify."""

from __future__ import annotations

import hashlib
import hmac

from .models.model_hmac_signature_input import ModelHmacSignatureInput
from .models.model_hmac_signature_output import ModelHmacSignatureOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeHmacSignatureCompute:
    """Pure compute: HMAC-SHA256 sign and verify."""

    async def process(self, input_data: ModelHmacSignatureInput) -> ModelHmacSignatureOutput:
        digest = hmac.new(
            input_data.secret.encode(), input_data.payload.encode(), hashlib.sha256
        ).hexdigest()
        valid = None
        if input_data.signature is not None:
            given = input_data.signature.removeprefix("sha256=").lower()
            valid = hmac.compare_digest(digest, given)
        return ModelHmacSignatureOutput(signature=f"sha256={digest}", valid=valid)
