"""Hypothesis strategies for property tests against the mock (``pip install 'aoai-mockserver[hypothesis]'``).

Requests (``chat_requests``, ``invalid_chat_requests``, ``embedding_requests``, ``responses_requests``)
are dicts to pass as keyword arguments to the SDK: ``client.chat.completions.create(**body)``,
``client.responses.create(**body)``. Faults (``fault_actions``,
``fault_sequences``, ``fault_rules``) are in the ``mockserver.faults`` format, for
``mock.faults.add(rule)``.

With the pytest plugin, a ``@given`` test that uses ``aoai_mock`` or ``aoai_server`` gets fresh mock
state for every example (the plugin wraps each example in ``mock.fresh()``), so faults and journal
counts from one example never leak into the next. Elsewhere, use the block yourself::

    @given(body=chat_requests())
    def test_usage(body):
        with mock.fresh():
            ...

A process's first request loads the BPE vocabularies and the SDK's lazily imported types (a few
hundred ms); before a ``@given`` test runs, the plugin warms both up (``testing.hypothesis.warm_up``), so the
first example's deadline is not charged for them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from hypothesis import strategies as st

from ..catalogue import BUILTIN_DEPLOYMENTS, CHAT, EMBEDDINGS, MODEL_DEFAULTS
from ..faults.rules import KINDS, SERVER_ONLY_KINDS
from ..versions import GA_VERSIONS, PREVIEW_VERSIONS

__all__ = [
    "InvalidRequest",
    "api_versions",
    "chat_messages",
    "chat_requests",
    "deployment_names",
    "embedding_requests",
    "fault_actions",
    "fault_rules",
    "fault_sequences",
    "invalid_chat_requests",
    "responses_requests",
    "status_faults",
    "transport_faults",
]

ERROR_STATUSES = (400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504)
# transport faults a client sees in-process, and those that need the live server (faults.KINDS);
# a content_filter fault rewrites the answer, which is not a transport fault
INPROCESS_TRANSPORT_KINDS = tuple(
    name for name, kind in KINDS.items() if not kind.needs_socket and name != "content_filter"
)
SERVER_TRANSPORT_KINDS = SERVER_ONLY_KINDS
# Words keep prompts short and readable in failure reports; any text works with the mock.
WORDS = st.sampled_from(
    ["weather", "paris", "hello", "tokens", "azure", "deploy", "retry", "stream", "model", "answer", "the"]
)


class InvalidRequest(NamedTuple):
    """A request with exactly one mistake, and the ``param`` Azure's 400 names for it."""

    body: dict[str, Any]
    param: str


def deployment_names(operation: str = CHAT, reasoning: bool = False) -> st.SearchStrategy[str]:
    """Built-in deployments serving ``operation`` (reasoning models only when ``reasoning``)."""
    names = [
        name
        for name, model in BUILTIN_DEPLOYMENTS.items()
        if operation in MODEL_DEFAULTS[model]["capabilities"]
        and (reasoning or not MODEL_DEFAULTS[model].get("reasoning"))
    ]
    return st.sampled_from(sorted(names))


def api_versions(kind: str = "any") -> st.SearchStrategy[str]:
    """Dated api-versions the mock knows: ``"ga"``, ``"preview"`` or ``"any"``."""
    choices = {"ga": GA_VERSIONS, "preview": PREVIEW_VERSIONS, "any": GA_VERSIONS + PREVIEW_VERSIONS}
    if kind not in choices:
        raise ValueError(f"kind must be one of {sorted(choices)}, got {kind!r}")
    return st.sampled_from(choices[kind])


def text(max_words: int = 12) -> st.SearchStrategy[str]:
    return st.lists(WORDS, min_size=1, max_size=max_words).map(" ".join)


def chat_messages(max_messages: int = 4) -> st.SearchStrategy[list[dict[str, Any]]]:
    """An optional system message, then alternating user/assistant turns ending with a user turn."""
    turns = st.integers(min_value=0, max_value=max(0, (max_messages - 2) // 2))

    @st.composite
    def build(draw: st.DrawFn) -> list[dict[str, Any]]:
        messages = [{"role": "system", "content": draw(text())}] if draw(st.booleans()) else []
        for _ in range(draw(turns)):
            messages.append({"role": "user", "content": draw(text())})
            messages.append({"role": "assistant", "content": draw(text())})
        return [*messages, {"role": "user", "content": draw(text())}]

    return build()


OPTIONAL_CHAT_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "temperature": st.floats(min_value=0, max_value=2, allow_nan=False).map(lambda x: round(x, 2)),
    "top_p": st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda x: round(x, 2)),
    "max_tokens": st.integers(min_value=1, max_value=64),
    "n": st.integers(min_value=1, max_value=3),
    "seed": st.integers(min_value=0, max_value=2**31 - 1),
    "presence_penalty": st.floats(min_value=-2, max_value=2, allow_nan=False).map(lambda x: round(x, 2)),
    "frequency_penalty": st.floats(min_value=-2, max_value=2, allow_nan=False).map(lambda x: round(x, 2)),
    "stop": st.lists(WORDS, min_size=1, max_size=4, unique=True),
    "user": st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=16),
}


def chat_requests(deployments: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid chat completion keyword arguments (``model`` is the deployment), without streaming."""
    optional = st.fixed_dictionaries({}, optional=OPTIONAL_CHAT_FIELDS)
    return st.builds(
        lambda model, messages, extra: {"model": model, "messages": messages, **extra},
        deployments or deployment_names(),
        chat_messages(),
        optional,
    )


MISTAKES: tuple[tuple[str, st.SearchStrategy[Any]], ...] = (
    (
        "temperature",
        st.one_of(
            st.floats(min_value=2.01, max_value=100),
            st.floats(min_value=-100, max_value=-0.01),
            st.just("hot"),
        ),
    ),
    ("top_p", st.floats(min_value=1.01, max_value=10)),
    ("n", st.one_of(st.integers(max_value=0, min_value=-5), st.integers(min_value=129, max_value=1000))),
    ("max_tokens", st.integers(min_value=-100, max_value=0)),
    ("presence_penalty", st.floats(min_value=2.01, max_value=50)),
    ("frequency_penalty", st.floats(min_value=-50, max_value=-2.01)),
    ("stop", st.lists(WORDS, min_size=5, max_size=6)),
    ("messages", st.just([])),
)


@st.composite
def invalid_chat_requests(
    draw: st.DrawFn, deployments: st.SearchStrategy[str] | None = None
) -> InvalidRequest:
    """A valid chat request with one field made invalid (range, type, length or a bad role);
    the mock (and Azure) answers 400 naming ``param``."""
    body = draw(chat_requests(deployments))
    choice = draw(st.sampled_from([*(name for name, _ in MISTAKES), "messages[0].role", "top_logprobs"]))
    if choice == "messages[0].role":
        body["messages"] = [{"role": draw(st.sampled_from(["robot", "bot", "admin"])), "content": "hi"}]
    elif choice == "top_logprobs":
        body.pop("logprobs", None)
        body["top_logprobs"] = draw(st.integers(min_value=0, max_value=20))
    else:
        body[choice] = draw(dict(MISTAKES)[choice])
    return InvalidRequest(body, choice)


def embedding_requests(
    deployments: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid embeddings keyword arguments: one string or a list of up to 8."""
    inputs = st.one_of(text(), st.lists(text(), min_size=1, max_size=8))
    return st.builds(
        lambda model, value: {"model": model, "input": value},
        deployments or deployment_names(EMBEDDINGS),
        inputs,
    )


OPTIONAL_RESPONSES_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "instructions": text(),
    "temperature": OPTIONAL_CHAT_FIELDS["temperature"],
    "top_p": OPTIONAL_CHAT_FIELDS["top_p"],
    "max_output_tokens": st.integers(min_value=16, max_value=64),
    "metadata": st.dictionaries(WORDS, text(3), max_size=3),
    "store": st.booleans(),
    "truncation": st.sampled_from(["auto", "disabled"]),
}


def responses_requests(
    deployments: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``responses.create`` keyword arguments: ``input`` as a string or as message items."""
    items = chat_messages().map(
        lambda messages: [
            {"type": "message", "role": m["role"], "content": [{"type": "input_text", "text": m["content"]}]}
            for m in messages
            if m["role"] == "user"
        ]
    )
    return st.builds(
        lambda model, value, extra: {"model": model, "input": value, **extra},
        deployments or deployment_names(),
        st.one_of(text(), items),
        st.fixed_dictionaries({}, optional=OPTIONAL_RESPONSES_FIELDS),
    )


def status_faults(statuses: tuple[int, ...] = ERROR_STATUSES) -> st.SearchStrategy[dict[str, Any]]:
    """``{"status": N}`` actions; 429s carry a short ``retry-after-ms`` so retrying clients stay fast."""

    def action(status: int) -> dict[str, Any]:
        if status == 429:
            return {"status": 429, "headers": {"retry-after-ms": "1"}}
        return {"status": status}

    return st.sampled_from(statuses).map(action)


def transport_faults(inprocess: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """``{"kind": ...}`` actions; ``inprocess=False`` adds the timing kinds (live server only)."""
    kinds = INPROCESS_TRANSPORT_KINDS + (() if inprocess else SERVER_TRANSPORT_KINDS)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(st.sampled_from(kinds))
        action: dict[str, Any] = {"kind": kind}
        if kind in ("stream_cut", "malformed_sse", "error_event"):
            action["after_chunks"] = draw(st.integers(min_value=0, max_value=4))
        elif kind == "close_mid_body":
            action["after_bytes"] = draw(st.integers(min_value=0, max_value=64))
        elif kind in ("latency", "stall"):
            action["seconds"] = draw(st.sampled_from([0.0, 0.01, 0.05]))
        elif kind == "dribble":
            action.update(bytes=draw(st.integers(min_value=16, max_value=512)), interval=0.001)
        elif kind == "stream_timing":
            action.update(first_token=0.01, between_chunks=0.001)
        elif kind == "stale_read":
            action["reads"] = draw(st.integers(min_value=1, max_value=3))
        return action

    return build()


def fault_actions(inprocess: bool = True, transport: bool = True) -> st.SearchStrategy[Any]:
    """One action: ``"pass"``, a status fault or (when ``transport``) a transport fault."""
    options: list[st.SearchStrategy[Any]] = [st.just("pass"), status_faults()]
    if transport:
        options.append(transport_faults(inprocess))
    return st.one_of(options)


def fault_sequences(
    max_size: int = 5, inprocess: bool = True, transport: bool = True
) -> st.SearchStrategy[list[Any]]:
    """What successive requests get: a list of actions (after it, requests pass)."""
    return st.lists(fault_actions(inprocess, transport), min_size=1, max_size=max_size)


def fault_rules(
    operation: str | None = CHAT, inprocess: bool = True, transport: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """A whole rule: a ``sequence``, or one ``fault`` for the first ``times`` requests."""
    match = {"operation": operation} if operation else {}
    sequence = fault_sequences(inprocess=inprocess, transport=transport).map(
        lambda actions: {"match": match, "sequence": actions}
    )
    counted = st.builds(
        lambda action, times: {"match": match, "fault": action, "times": times},
        fault_actions(inprocess, transport).filter(lambda a: a != "pass"),
        st.integers(min_value=0, max_value=4),
    )
    return st.one_of(sequence, counted)
