from .model_password_strength_input import ModelPasswordStrengthInput
from .model_password_strength_output import ModelPasswordStrengthOutput

__all__ = ["ModelPasswordStrengthInput", "ModelPasswordStrengthOutput"]
