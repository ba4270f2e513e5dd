"""`AlertSinkResource`: where quality-degradation alerts go.

A log line by default, so a plain `dagster dev` alerts without any setup; a webhook when
`webhook_url` is set (in `definitions.py` from the EnvVar NODEGEN_ALERT_WEBHOOK_URL, since such
URLs usually embed a token). Retries and timeouts are the domain sink's (`WebhookAlertSink`).
"""

from urllib.parse import urlsplit

from dagster import ConfigurableResource
from pydantic import Field

from nodegen.reports import AlertSink, LogAlertSink, WebhookAlertSink


class AlertSinkResource(ConfigurableResource):
    """Builds the domain alert sink: webhook when a URL is configured, else the log."""

    webhook_url: str | None = Field(
        default=None, description="POST alerts here (an EnvVar: NODEGEN_ALERT_WEBHOOK_URL)"
    )
    timeout_s: float = Field(default=5.0, gt=0, description="Per-attempt HTTP timeout")
    retries: int = Field(default=3, ge=0, description="Extra attempts on timeouts, 429 and 5xx")
    backoff_s: float = Field(default=0.5, ge=0, description="First retry delay (doubles each time)")

    def sink(self) -> AlertSink:
        if self.webhook_url:
            return WebhookAlertSink(
                self.webhook_url, self.timeout_s, self.retries, backoff_s=self.backoff_s
            )
        return LogAlertSink()

    def describe(self) -> str:
        """Where alerts go, naming only the webhook's host (its path or query may hold a token)."""
        if not self.webhook_url:
            return "log (nodegen.alerts)"
        return f"webhook on {urlsplit(self.webhook_url).hostname}"
