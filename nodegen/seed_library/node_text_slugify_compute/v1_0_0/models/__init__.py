from .model_text_slugify_input import ModelTextSlugifyInput
from .model_text_slugify_output import ModelTextSlugifyOutput

__all__ = ["ModelTextSlugifyInput", "ModelTextSlugifyOutput"]
