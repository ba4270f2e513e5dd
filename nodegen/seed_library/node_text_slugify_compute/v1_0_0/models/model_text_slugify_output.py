"""Output of node_text_slugify_compute."""

from pydantic import BaseModel, ConfigDict


class ModelTextSlugifyOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str
    truncated: bool = False
