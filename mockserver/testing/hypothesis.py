"""Fresh mock state for every Hypothesis example (style.md §3.4).

A function-scoped fixture lives across all the examples of a ``@given`` test, and Hypothesis's
``function_scoped_fixture`` health check says so. For a test using ``aoai_mock`` / ``aoai_server``
the plugin wraps ``test.hypothesis.inner_test`` (the per-example hook Hypothesis offers plugins) so
each example runs inside ``handle.fresh()``: the premise of the health check no longer holds for
these fixtures, so it is suppressed when they are the test's only function-scoped fixtures (any
other function-scoped fixture still triggers it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import pytest

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


def prepare(item: pytest.Item, handles: list[MockAzure]) -> Callable[[], None] | None:
    """Wrap a ``@given`` test's examples; returns the undo, or None for other tests."""
    from hypothesis import is_hypothesis_test

    if not isinstance(item, pytest.Function) or not is_hypothesis_test(item.obj):
        return None
    for handle in handles:
        handle.warm_up()
    hypothesis_handle = item.obj.hypothesis
    inner = hypothesis_handle.inner_test
    hypothesis_handle.inner_test = wrap_examples(inner, handles)

    def undo() -> None:
        hypothesis_handle.inner_test = inner

    return undo
