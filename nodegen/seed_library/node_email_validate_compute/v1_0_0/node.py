"""Pure compute: normalise and validate email addresses."""

from __future__ import annotations

import re

from .models.model_email_validate_input import ModelEmailValidateInput
from .models.model_email_validate_output import ModelEmailValidateOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


class NodeEmailValidateCompute:
    """Pure compute: normalise and validate email addresses."""

    async def process(self, input_data: ModelEmailValidateInput) -> ModelEmailValidateOutput:
        valid: list[str] = []
        invalid: dict[str, str] = {}
        seen: set[str] = set()
        for raw in input_data.emails:
            email = raw.strip().lower()
            if email in seen:
                continue
            seen.add(email)
            if "@" not in email:
                invalid[raw] = "missing @"
            elif len(email) > 254:
                invalid[raw] = "longer than 254 characters"
            elif not EMAIL.match(email):
                invalid[raw] = "malformed address"
            else:
                valid.append(email)
        return ModelEmailValidateOutput(valid=valid, invalid=invalid)
