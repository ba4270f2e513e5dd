"""Pure compute: top-N word counts without stopwords."""

from __future__ import annotations

import re
from collections import Counter

from .models.model_word_frequency_input import ModelWordFrequencyInput
from .models.model_word_frequency_output import ModelWordFrequencyOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


STOPWORDS = frozenset(
    "a an and are as at be by for from in is it of on or the to was were with".split()
)


class NodeWordFrequencyCompute:
    """Pure compute: top-N word counts without stopwords."""

    async def process(self, input_data: ModelWordFrequencyInput) -> ModelWordFrequencyOutput:
        tokens = [t for t in re.findall(r"[a-z']+", input_data.text.lower()) if t not in STOPWORDS]
        if not input_data.text.strip():
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "text is empty")
        counts = Counter(tokens)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return ModelWordFrequencyOutput(words=ranked[: input_data.top_n], total_words=len(tokens))
