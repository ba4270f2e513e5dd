"""Where quality alerts go: a log, or a webhook (Slack-style incoming hooks, PagerDuty bridges).

The webhook sink retries transport errors, timeouts, 429 and 5xx with exponential backoff and
raises `AlertDeliveryError` naming the URL and the last failure once the retries are spent, so
the sensor can report the failure and leave the alert pending for the next tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import httpx

from nodegen.errors import NodegenError
from nodegen.reports.degradation import QualityAlert


class AlertDeliveryError(NodegenError):
    """An alert could not be delivered after all retries (or was refused outright)."""

    code = "ALERT_DELIVERY_FAILED"


@runtime_checkable
class AlertSink(Protocol):
    def send(self, alert: QualityAlert) -> None:
        """Deliver one alert or raise `AlertDeliveryError`."""
        ...


def alert_payload(alert: QualityAlert) -> dict[str, Any]:
    """The JSON body a webhook receives: event type, dedup key, a text line and the alert."""
    return {
        "event_type": "QUALITY_DEGRADED",
        "key": alert.key,
        "text": alert.message(),
        "alert": alert.model_dump(mode="json"),
    }


class LogAlertSink:
    """Writes each alert as one warning line (with the alert as `extra` for structured logs)."""

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.WARNING):
        self.logger = logger or logging.getLogger("nodegen.alerts")
        self.level = level

    def send(self, alert: QualityAlert) -> None:
        self.logger.log(
            self.level,
            "QUALITY_DEGRADED %s",
            alert.message(),
            extra={"nodegen_alert": alert.model_dump(mode="json")},
        )


class WebhookAlertSink:
    """POSTs `alert_payload(alert)` as JSON; `retries` extra attempts after the first."""

    def __init__(
        self,
        url: str,
        timeout_s: float = 5.0,
        retries: int = 3,
        *,
        backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook url must be http(s), got {url!r}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s}")
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        self.url = url
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.headers = dict(headers or {})
        self._sleep = sleep

    def _delay(self, attempt: int) -> float:
        return min(self.backoff_s * (2 ** (attempt - 1)), self.max_backoff_s)

    def send(self, alert: QualityAlert) -> None:
        body = alert_payload(alert)
        attempts = self.retries + 1
        last = "no attempt made"
        with httpx.Client(timeout=self.timeout_s, headers=self.headers) as client:
            for attempt in range(1, attempts + 1):
                try:
                    response = client.post(self.url, json=body)
                except httpx.TimeoutException as exc:
                    last = f"timed out after {self.timeout_s}s ({type(exc).__name__})"
                except httpx.TransportError as exc:
                    last = f"transport error: {type(exc).__name__}: {exc}"
                else:
                    if response.is_success:
                        return
                    last = f"HTTP {response.status_code}: {response.text[:200]}"
                    if response.status_code != 429 and response.status_code < 500:
                        raise AlertDeliveryError(
                            f"webhook {self.url} refused alert {alert.key}: {last}"
                        )
                if attempt < attempts:
                    self._sleep(self._delay(attempt))
        raise AlertDeliveryError(
            f"webhook {self.url} failed to take alert {alert.key} after {attempts} attempt(s): {last}"
        )


def send_all(sink: AlertSink, alerts: list[QualityAlert]) -> list[tuple[QualityAlert, str]]:
    """Send each alert; returns (alert, error) for those that failed, so one bad send does not
    stop the others."""
    failures: list[tuple[QualityAlert, str]] = []
    for alert in alerts:
        try:
            sink.send(alert)
        except AlertDeliveryError as exc:
            failures.append((alert, str(exc)))
    return failures
