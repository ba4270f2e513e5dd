from .model_email_validate_input import ModelEmailValidateInput
from .model_email_validate_output import ModelEmailValidateOutput

__all__ = ["ModelEmailValidateInput", "ModelEmailValidateOutput"]
