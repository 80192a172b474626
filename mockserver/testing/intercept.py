"""In-process interception for ``httpx`` and ``httpx2`` clients, sync and async (style.md §3.1).

openai 1.x/2.x and most libraries send through ``httpx``; openai 3.x through ``httpx2``, which
respx does not see. Both packages share the transport API, so one patch covers the four paths:
``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request`` of each package.
A request whose host is routed goes into that host's ASGI app (``bridge``); any other request
goes on untouched, unless real-Azure blocking is on and its host is an Azure OpenAI host.

The patch sits above httpcore, so a test that also uses respx keeps its routes for other hosts.
In-process responses are buffered: SSE content is exact, SSE timing is not (use ``aoai_server``).
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from ..types import ASGIApp
from . import bridge
from .errors import REAL_AZURE_BLOCKED, RealAzureCallBlocked

PACKAGES = ("httpx", "httpx2")
AZURE_HOST_SUFFIXES = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")
RESET_MESSAGE = "[Errno 104] Connection reset by peer (scripted by aoai-mock)"
CUT_MESSAGE = "peer closed connection without sending complete message body (scripted by aoai-mock)"


def available_packages() -> list[ModuleType]:
    """``httpx`` and ``httpx2``, those of them that are installed."""
    return [importlib.import_module(name) for name in PACKAGES if importlib.util.find_spec(name) is not None]


def is_azure_host(host: str) -> bool:
    return host.endswith(AZURE_HOST_SUFFIXES)


def app_request(request: Any, body: bytes) -> bridge.AppRequest:
    url = request.url
    default_port = 443 if url.scheme == "https" else 80
    return bridge.AppRequest(
        method=request.method,
        scheme=url.scheme,
        host=url.host,
        port=url.port or default_port,
        target=url.raw_path,
        headers=list(request.headers.raw),
        body=body,
    )


def broken_stream(pkg: ModuleType, body: bytes, request: Any) -> Any:
    """A response body that yields what the app sent, then fails like a dropped connection."""

    class BrokenStream(pkg.SyncByteStream, pkg.AsyncByteStream):  # type: ignore[misc, name-defined]
        def __iter__(self) -> Iterator[bytes]:
            if body:
                yield body
            raise pkg.RemoteProtocolError(CUT_MESSAGE, request=request)

        async def __aiter__(self) -> Any:
            if body:
                yield body
            raise pkg.RemoteProtocolError(CUT_MESSAGE, request=request)

    return BrokenStream()


def to_response(pkg: ModuleType, request: Any, answer: bridge.AppResponse) -> Any:
    """The package's ``Response`` for the app's answer, or the transport error a socket would give."""
    if answer.error is not None and not answer.started:
        raise pkg.ReadError(RESET_MESSAGE, request=request) from answer.error
    stream = pkg.ByteStream(answer.body) if answer.error is None else broken_stream(pkg, answer.body, request)
    return pkg.Response(answer.status, headers=answer.headers, stream=stream, request=request)


class Interceptor:
    """Routes requests for registered hosts into ASGI apps; optionally blocks real Azure hosts.

    ``install`` patches the transports of every installed package; ``uninstall`` restores them.
    ``blocked`` keeps the URLs that blocking refused, for the plugin to report.
    """

    def __init__(self, block_real_azure: bool = False, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.routes: dict[str, ASGIApp] = {}
        self.block_real_azure = block_real_azure
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.blocked: list[str] = []
        self.saved: list[tuple[type, str, Any]] = []
        self.lock = threading.Lock()

    @property
    def installed(self) -> bool:
        return bool(self.saved)

    def route(self, host: str, app: ASGIApp) -> None:
        self.routes[host.lower()] = app
        self.install()

    def unroute(self, host: str) -> None:
        self.routes.pop(host.lower(), None)

    def lookup(self, request: Any) -> ASGIApp | None:
        """The app for ``request``'s host; None to send it on; raises when it is blocked."""
        host = request.url.host.lower()
        app = self.routes.get(host)
        if app is None and self.block_real_azure and is_azure_host(host) and host not in self.allowed_hosts:
            url = str(request.url).split("?")[0]
            self.blocked.append(url)
            raise RealAzureCallBlocked(REAL_AZURE_BLOCKED.format(url=url))
        return app

    def install(self) -> None:
        with self.lock:
            if self.saved:
                return
            for pkg in available_packages():
                self.patch(pkg, pkg.HTTPTransport, "handle_request", self.sync_handler(pkg))
                self.patch(pkg, pkg.AsyncHTTPTransport, "handle_async_request", self.async_handler(pkg))

    def uninstall(self) -> None:
        with self.lock:
            while self.saved:
                cls, name, original = self.saved.pop()
                setattr(cls, name, original)

    def patch(self, pkg: ModuleType, cls: type, name: str, make: Any) -> None:
        original = cls.__dict__[name]
        self.saved.append((cls, name, original))
        setattr(cls, name, make(original))

    def sync_handler(self, pkg: ModuleType) -> Any:
        def make(original: Any) -> Any:
            def handle_request(transport: Any, request: Any) -> Any:
                app = self.lookup(request)
                if app is None:
                    return original(transport, request)
                answer = bridge.call_app_sync(app, app_request(request, request.read()))
                return to_response(pkg, request, answer)

            return handle_request

        return make

    def async_handler(self, pkg: ModuleType) -> Any:
        def make(original: Any) -> Any:
            async def handle_async_request(transport: Any, request: Any) -> Any:
                app = self.lookup(request)
                if app is None:
                    return await original(transport, request)
                answer = await bridge.call_app_async(app, app_request(request, await request.aread()))
                return to_response(pkg, request, answer)

            return handle_async_request

        return make
