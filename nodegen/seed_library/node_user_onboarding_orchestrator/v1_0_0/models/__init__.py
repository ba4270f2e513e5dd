from .model_user_onboarding_input import ModelUserOnboardingInput
from .model_user_onboarding_output import ModelUserOnboardingOutput

__all__ = ["ModelUserOnboardingInput", "ModelUserOnboardingOutput"]
