"""Prompt templates of the LLM stages, one Jinja file per stage (`<stage>.j2`).

Each template has two blocks: `system` is static per stage (instructions, the JSON schema of the
expected output, the ONEX rules) so providers can cache it; `user` carries everything that varies
per request (the request, retrieved patterns, earlier stage outputs, gate findings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from nodegen.stages import LLM_STAGES, Stage

PROMPT_DIR = Path(__file__).resolve().parent

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(PROMPT_DIR)),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    trim_blocks=False,
)


def template_name(stage: Stage) -> str:
    if stage not in LLM_STAGES:
        raise ValueError(f"stage {stage.value!r} has no prompt template (not an LLM stage)")
    return f"{stage.value}.j2"


def render_system(stage: Stage, *, schema: str) -> str:
    """The static part: identical for every request of the stage."""
    return _render_block(stage, "system", {"schema": schema})


def render_user(stage: Stage, **context: Any) -> str:
    """The dynamic part for one request."""
    context.setdefault("patterns", [])
    context.setdefault("recommendations", [])
    context.setdefault("with_code", False)
    return _render_block(stage, "user", context)


def _render_block(stage: Stage, block: str, context: dict[str, Any]) -> str:
    template = _ENV.get_template(template_name(stage))
    return "".join(template.blocks[block](template.new_context(context))).strip() + "\n"
