"""Errors raised by the test helpers (the ``MockServerError`` family, plus an assertion)."""

from __future__ import annotations

from ..errors import ConfigError, MockServerError

REAL_AZURE_BLOCKED = (
    "aoai-mockserver blocked a real Azure OpenAI call to {url}: real Azure calls are blocked "
    "(--aoai-block-network / aoai_block_network). Use the aoai_mock or aoai_server fixture and pass its "
    "endpoint (or mock.client()) to the code under test."
)
SERVER_ONLY_FAULT = (
    "fault kind {kind!r} needs a real socket and real time: in-process requests are buffered and client "
    "timeouts never fire, so it cannot be scripted on the in-process mock. Use the aoai_server fixture "
    "(or --aoai-mode server) for timing and slow-stream faults; in-process kinds: {valid}."
)


class RealAzureCallBlocked(AssertionError):
    """A request tried to reach a real Azure OpenAI host while blocking was on."""


class ServerOnlyFault(ConfigError):
    """A timing or slow-stream fault was scripted on the in-process mock (it needs ``aoai_server``)."""


class ControlUnavailable(MockServerError):
    """The target has no mock control API (an external URL that is not an aoai-mockserver)."""
