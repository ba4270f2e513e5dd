"""Orchestrator: choose channels per recipient and emit send actions."""

from __future__ import annotations

from typing import Any

from .models.model_notification_router_input import ModelNotificationRouterInput
from .models.model_notification_router_output import ModelNotificationRouterOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


class NodeNotificationRouterOrchestrator:
    """Orchestrator: choose channels per recipient and emit send actions."""

    async def process(
        self, input_data: ModelNotificationRouterInput
    ) -> ModelNotificationRouterOutput:
        actions: list[dict[str, Any]] = []
        skipped: list[str] = []
        rank = SEVERITY_RANK[input_data.severity]
        for person in input_data.recipients:
            pid = person.get("id")
            if not pid:
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "recipient without id")
            if rank < SEVERITY_RANK.get(person.get("min_severity", "info"), 0):
                skipped.append(pid)
                continue
            start, end = person.get("quiet_hours", [0, 0])
            quiet = (
                (start <= input_data.hour_utc < end)
                if start <= end
                else (input_data.hour_utc >= start or input_data.hour_utc < end)
            )
            channels = list(person.get("channels", ["email"]))
            if input_data.severity == "critical":
                channels.append("pager")
            elif quiet:
                skipped.append(pid)
                continue
            for channel in dict.fromkeys(channels):
                actions.append(
                    {"action": f"send_{channel}", "to": pid, "message": input_data.message}
                )
        return ModelNotificationRouterOutput(actions=actions, skipped=skipped)
