"""Fresh mock state for every Hypothesis example (style.md §3.4).

A function-scoped fixture lives across all the examples of a ``@given`` test, and Hypothesis's
``function_scoped_fixture`` health check says so. For a test using ``aoai_mock`` / ``aoai_server``
the plugin wraps ``test.hypothesis.inner_test`` (the per-example hook Hypothesis offers plugins) so
each example runs inside ``handle.fresh()``: the premise of the health check no longer holds for
these fixtures, so it is suppressed when they are the test's only function-scoped fixtures (any
other function-scoped fixture still triggers it).
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import pytest

from ..catalogue import CHAT
from .backends import LocalBackend
from .clients import ssl_context
from .handle import MockAzure

OUR_FIXTURES = frozenset({"aoai_mock", "aoai_server", "aoai_client", "aoai_async_client"})


def wrap_examples(inner: Callable[..., Any], handles: list[MockAzure]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(inner):

        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with ExitStack() as stack:
                for handle in handles:
                    stack.enter_context(handle.fresh())
                return await inner(*args, **kwargs)

        return run_async

    def run(*args: Any, **kwargs: Any) -> Any:
        with ExitStack() as stack:
            for handle in handles:
                stack.enter_context(handle.fresh())
            return inner(*args, **kwargs)

    return run


def disguise_scopes(item: pytest.Item) -> Callable[[], None]:
    """Let our fixtures look session-scoped to Hypothesis's fixture check (and only to it: the plugin
    undoes this before the test body runs); returns the undo. The check still names any other
    function-scoped fixture the test uses."""
    try:
        name2defs = item._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
        saved = [(d, d._scope) for name in OUR_FIXTURES for d in name2defs.get(name, ())]
        for fixturedef, scope in saved:
            fixturedef._scope = type(scope)("session")
    except (AttributeError, ValueError):  # a pytest without these internals: the check stays as it is
        return lambda: None

    def undo() -> None:
        for fixturedef, scope in saved:
            fixturedef._scope = scope

    return undo


def warm_up(handle: MockAzure) -> None:
    """Load what a process's first request loads, so that a timed block (a Hypothesis example
    with a deadline) is not charged for it: the mock's tokenizers and, when the openai SDK is in
    use, its lazily imported chat types (one chat request, then ``reset``). Local mocks only:
    an external target is never sent a request the test did not make."""
    ssl_context()
    if not isinstance(handle.backend, LocalBackend):
        return
    seen: set[str] = set()
    for deployment in handle.backend.state.settings.deployments:
        if deployment.encoding not in seen:
            seen.add(deployment.encoding)
            handle.backend.state.tokenizer(deployment)
    chat = next((d.name for d in handle.deployments if d.serves(CHAT) and not d.reasoning), None)
    if chat is not None and "openai" in sys.modules:
        suspended = handle.cassette.suspended() if handle.cassette is not None else contextlib.nullcontext()
        with suspended, contextlib.suppress(Exception):  # a cassette neither replays nor records it
            handle.client(max_retries=0).chat.completions.create(
                model=chat, messages=[{"role": "user", "content": "warm up"}], max_tokens=1
            )
        handle.reset()


def prepare(item: pytest.Item, handles: list[MockAzure]) -> Callable[[], None] | None:
    """Wrap a ``@given`` test's examples; returns the undo, or None for other tests."""
    from hypothesis import is_hypothesis_test

    if not isinstance(item, pytest.Function) or not is_hypothesis_test(item.obj):
        return None
    for handle in handles:
        warm_up(handle)
    hypothesis_handle = item.obj.hypothesis
    inner = hypothesis_handle.inner_test
    hypothesis_handle.inner_test = wrap_examples(inner, handles)

    def undo() -> None:
        hypothesis_handle.inner_test = inner

    return undo
