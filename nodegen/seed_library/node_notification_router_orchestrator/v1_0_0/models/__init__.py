from .model_notification_router_input import ModelNotificationRouterInput
from .model_notification_router_output import ModelNotificationRouterOutput

__all__ = ["ModelNotificationRouterInput", "ModelNotificationRouterOutput"]
