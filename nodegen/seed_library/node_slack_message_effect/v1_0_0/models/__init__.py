from .model_slack_message_input import ModelSlackMessageInput
from .model_slack_message_output import ModelSlackMessageOutput

__all__ = ["ModelSlackMessageInput", "ModelSlackMessageOutput"]
