"""Pure compute: title to URL slug."""

from __future__ import annotations

import re
import unicodedata

from .models.model_text_slugify_input import ModelTextSlugifyInput
from .models.model_text_slugify_output import ModelTextSlugifyOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeTextSlugifyCompute:
    """Pure compute: title to URL slug."""

    async def process(self, input_data: ModelTextSlugifyInput) -> ModelTextSlugifyOutput:
        ascii_text = (
            unicodedata.normalize("NFKD", input_data.title).encode("ascii", "ignore").decode()
        )
        words = re.findall(r"[a-z0-9]+", ascii_text.lower())
        if not words:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "title has no letters or digits")
        slug = ""
        truncated = False
        for word in words:
            candidate = f"{slug}-{word}" if slug else word
            if len(candidate) > input_data.max_length:
                truncated = True
                break
            slug = candidate
        if not slug:
            slug, truncated = words[0][: input_data.max_length], True
        return ModelTextSlugifyOutput(slug=slug, truncated=truncated)
