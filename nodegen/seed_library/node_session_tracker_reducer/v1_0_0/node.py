"""Reducer: page-view events -> per-user sessions with an inactivity timeout."""

from __future__ import annotations

from typing import Any

from .models.model_session_tracker_input import ModelSessionTrackerInput
from .models.model_session_tracker_output import ModelSessionTrackerOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeSessionTrackerReducer:
    """Reducer: page-view events -> per-user sessions with an inactivity timeout."""

    async def process(self, input_data: ModelSessionTrackerInput) -> ModelSessionTrackerOutput:
        sessions = {u: [dict(s) for s in lst] for u, lst in input_data.sessions.items()}
        intents: list[dict[str, Any]] = []
        for event in sorted(input_data.events, key=lambda e: e["ts"]):
            user, ts = event.get("user"), event.get("ts")
            if not user or not isinstance(ts, int | float):
                raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", f"bad event {event!r}")
            user_sessions = sessions.setdefault(user, [])
            current = user_sessions[-1] if user_sessions else None
            if current is None or ts - current["end"] > input_data.timeout_s:
                if current is not None:
                    intents.append(
                        {"type": "session_closed", "user": user, "views": current["views"]}
                    )
                user_sessions.append({"start": ts, "end": ts, "views": 1})
            else:
                current["end"] = max(current["end"], ts)
                current["views"] += 1
        return ModelSessionTrackerOutput(sessions=sessions, intents=intents)
