"""Quality reports, degradation alerts and the data behind the analysis notebooks.

Domain code: takes the metrics-store frames as arguments and has no Dagster imports.
"""

from nodegen.reports.alerts import (
    AlertDeliveryError,
    AlertSink,
    LogAlertSink,
    WebhookAlertSink,
    alert_payload,
    send_all,
)
from nodegen.reports.degradation import (
    AlertState,
    MigrationRef,
    QualityAlert,
    detect_degradation,
    new_alerts,
)
from nodegen.reports.quality_report import QualityReport, build_quality_report

__all__ = [
    "AlertDeliveryError",
    "AlertSink",
    "AlertState",
    "LogAlertSink",
    "MigrationRef",
    "QualityAlert",
    "QualityReport",
    "WebhookAlertSink",
    "alert_payload",
    "build_quality_report",
    "detect_degradation",
    "new_alerts",
    "send_all",
]
