from .model_session_tracker_input import ModelSessionTrackerInput
from .model_session_tracker_output import ModelSessionTrackerOutput

__all__ = ["ModelSessionTrackerInput", "ModelSessionTrackerOutput"]
