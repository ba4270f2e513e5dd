"""Pure compute: password strength score with reasons."""

from __future__ import annotations

import re

from .models.model_password_strength_input import ModelPasswordStrengthInput
from .models.model_password_strength_output import ModelPasswordStrengthOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


COMMON = frozenset({"password", "123456", "qwerty", "letmein", "admin", "welcome"})


class NodePasswordStrengthCompute:
    """Pure compute: password strength score with reasons."""

    async def process(self, input_data: ModelPasswordStrengthInput) -> ModelPasswordStrengthOutput:
        pw = input_data.password
        if pw.lower() in COMMON:
            return ModelPasswordStrengthOutput(score=0, reasons=["common password"])
        reasons: list[str] = []
        classes = sum(
            bool(re.search(p, pw)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
        )
        points = min(len(pw) // 4, 3) + classes
        if len(pw) < 12:
            reasons.append("shorter than 12 characters")
        if classes < 3:
            reasons.append("uses fewer than 3 character classes")
        if re.search(r"(.)\1\1", pw):
            reasons.append("repeats a character 3 times")
            points -= 2
        score = max(0, min(4, points // 2))
        return ModelPasswordStrengthOutput(score=score, reasons=reasons)
