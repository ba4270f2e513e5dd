from .model_webhook_post_input import ModelWebhookPostInput
from .model_webhook_post_output import ModelWebhookPostOutput

__all__ = ["ModelWebhookPostInput", "ModelWebhookPostOutput"]
