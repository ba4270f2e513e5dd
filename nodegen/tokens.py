"""Token counting for models that do not report usage (local-rules, the template renderer).

We count word pieces and punctuation marks (regex `\\w+|[^\\w\\s]`): about 1.3x fewer than a BPE
tokenizer on English, stable, dependency-free, and the same everywhere so metrics compare.
"""

import re

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))
