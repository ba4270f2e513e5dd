from .model_word_frequency_input import ModelWordFrequencyInput
from .model_word_frequency_output import ModelWordFrequencyOutput

__all__ = ["ModelWordFrequencyInput", "ModelWordFrequencyOutput"]
