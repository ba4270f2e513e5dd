"""WebhookAlertSink against a real HTTP server on loopback (http.server in a thread)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nodegen.reports import AlertDeliveryError, QualityAlert, WebhookAlertSink, send_all
from nodegen.reports.degradation import detect_degradation

from .conftest import NOW, History


class Hook:
    """A scripted webhook: each request takes the next (status, delay_s) from `script`."""

    def __init__(self) -> None:
        self.script: list[tuple[int, float]] = []
        self.bodies: list[dict] = []
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with hook.lock:
                    hook.bodies.append(body)
                    status, delay = hook.script.pop(0) if hook.script else (200, 0.0)
                if delay:
                    time.sleep(delay)
                payload = b'{"ok": true}' if status < 400 else b"boom"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    h.thread.start()
    yield h
    h.server.shutdown()
    h.server.server_close()


@pytest.fixture(scope="module")
def alert(history: History) -> QualityAlert:
    return detect_degradation(history.stages, history.decisions, NOW)[0]


def test_success_posts_the_alert_json(hook: Hook, alert: QualityAlert) -> None:
    WebhookAlertSink(hook.url, timeout_s=2, retries=2).send(alert)
    assert len(hook.bodies) == 1
    body = hook.bodies[0]
    assert body["event_type"] == "QUALITY_DEGRADED"
    assert body["key"] == alert.key
    assert body["alert"]["stage"] == "contract"
    assert body["alert"]["recent_migration"]["decision_id"] == "d-contract"
    assert QualityAlert.model_validate(body["alert"]) == alert


def test_500_then_success_is_retried(hook: Hook, alert: QualityAlert) -> None:
    hook.script = [(500, 0.0), (503, 0.0), (200, 0.0)]
    delays: list[float] = []

    def sleep(s: float) -> None:
        delays.append(s)
        time.sleep(s)

    WebhookAlertSink(hook.url, timeout_s=2, retries=3, backoff_s=0.01, sleep=sleep).send(alert)
    assert len(hook.bodies) == 3
    assert delays == [0.01, 0.02]  # exponential backoff between attempts


def test_persistent_500_fails_after_last_retry(hook: Hook, alert: QualityAlert) -> None:
    hook.script = [(500, 0.0)] * 5
    sink = WebhookAlertSink(hook.url, timeout_s=2, retries=2, backoff_s=0.01)
    with pytest.raises(AlertDeliveryError, match=r"after 3 attempt\(s\): HTTP 500"):
        sink.send(alert)
    assert len(hook.bodies) == 3


def test_timeout_is_retried_then_reported(hook: Hook, alert: QualityAlert) -> None:
    hook.script = [(200, 1.0), (200, 1.0)]
    sink = WebhookAlertSink(hook.url, timeout_s=0.2, retries=1, backoff_s=0.01)
    started = time.monotonic()
    with pytest.raises(AlertDeliveryError, match="timed out after 0.2s"):
        sink.send(alert)
    assert time.monotonic() - started < 1.5  # did not wait for the slow server
    assert len(hook.bodies) == 2


def test_client_error_is_not_retried(hook: Hook, alert: QualityAlert) -> None:
    hook.script = [(400, 0.0)]
    with pytest.raises(AlertDeliveryError, match="refused alert .*HTTP 400"):
        WebhookAlertSink(hook.url, timeout_s=2, retries=3, backoff_s=0.01).send(alert)
    assert len(hook.bodies) == 1


def test_unreachable_host_is_a_clear_error(alert: QualityAlert) -> None:
    # a port nobody listens on: bind, read the port, close
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_address[1]
    probe.server_close()
    sink = WebhookAlertSink(f"http://127.0.0.1:{port}/hook", timeout_s=1, retries=1, backoff_s=0.01)
    with pytest.raises(AlertDeliveryError, match="transport error"):
        sink.send(alert)


def test_send_all_collects_failures(hook: Hook, history: History) -> None:
    alerts = detect_degradation(history.stages, history.decisions, NOW)
    hook.script = [(200, 0.0), (400, 0.0)]
    failures = send_all(WebhookAlertSink(hook.url, timeout_s=2, retries=0), alerts)
    assert [a.stage for a, _ in failures] == ["business_logic"]
    assert len(hook.bodies) == 2


def test_bad_configuration_is_rejected() -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookAlertSink("ftp://example.invalid")
    with pytest.raises(ValueError, match="retries"):
        WebhookAlertSink("http://127.0.0.1:1/x", retries=-1)
