"""respx support for the `httpx2` clients inside the anthropic and openai SDKs (tests, benchmarks).

The installed SDKs send through `httpx2`, while respx patches `httpx`. This module registers a
respx mocker named "httpx2" that patches `httpx2.Client/AsyncClient._transport_for_url`, converts
each outgoing httpx2 request to an httpx request for respx's routes, and converts the route's
response (or side-effect exception) back. Use it as `respx.mock(using="httpx2")`: the SDKs run
unmodified, with their real retry, timeout and parsing code, and only the wire is faked.

Needs respx (a dev dependency); only tests and benchmarks import this module.
"""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import httpx2
from respx.mocks import Mocker

__all__ = ["HTTPX2Mocker", "USING"]

USING = "httpx2"


def _to_httpx_request(request: httpx2.Request) -> httpx.Request:
    return httpx.Request(
        request.method,
        str(request.url),
        headers=list(request.headers.raw),
        content=request.content,
    )


def _to_httpx2_response(response: httpx.Response, request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(
        response.status_code,
        headers=list(response.headers.raw),
        content=response.read(),
        request=request,
    )


def _translate(exc: httpx.HTTPError, request: httpx2.Request) -> Exception:
    """Raise the httpx2 exception of the same name (ReadTimeout -> httpx2.ReadTimeout)."""
    for cls in type(exc).__mro__:
        target = getattr(httpx2, cls.__name__, None)
        if isinstance(target, type) and issubclass(target, Exception):
            try:
                return target(str(exc), request=request)
            except TypeError:
                return target(str(exc))
    return httpx2.TransportError(str(exc))


class _BridgeTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    def __init__(self, mocker: type[Mocker]) -> None:
        self._mocker = mocker

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        try:
            response = self._mocker.handler(_to_httpx_request(request))
        except httpx.HTTPError as exc:
            raise _translate(exc, request) from exc
        return _to_httpx2_response(response, request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        try:
            response = await self._mocker.async_handler(_to_httpx_request(request))
        except httpx.HTTPError as exc:
            raise _translate(exc, request) from exc
        await response.aread()
        return _to_httpx2_response(response, request)


class HTTPX2Mocker(Mocker):
    """respx mocker for httpx2 clients; every request goes to the active respx routers."""

    name = USING
    targets = ["httpx2._client.Client", "httpx2._client.AsyncClient"]
    target_methods = ["_transport_for_url"]

    @classmethod
    def mock(cls, spec: Any) -> Any:
        def _transport_for_url(self: Any, *args: Any, **kwargs: Any) -> Any:
            return _BridgeTransport(cls)

        assert not inspect.iscoroutinefunction(spec)
        return _transport_for_url
