"""Vectors on the connection and the stream: per-attempt timeouts, resets, and streams that
end in an error event or without ``[DONE]``."""

from __future__ import annotations

from ..expect import Expect, Rule, Vector
from .sdks import go, java, stainless

TRANSPORT: tuple[Vector, ...] = (
    Vector(
        id="per-attempt-timeout",
        behaviour="first attempt stalls past the client timeout (0.5 s), then 200",
        source="sdk-behaviour §2 retried on timeout; §5 vector 12",
        faults=({"fault": {"kind": "stall", "seconds": 3}, "times": 1},),
        settings={"timeout": 0.5},
        server_only=True,
        rules=(
            Rule("http", Expect(ok=False, attempts=1, error=("ReadTimeout", "TimeoutException"))),
            *stainless(Expect(ok=True, attempts=2, retry_counts=("0", "1"))),
            go(
                Expect(ok=False, attempts=1, error="context.DeadlineExceeded"),
                note="WithRequestTimeout is per attempt; Execute returns ctx.Err() without retrying "
                "(§3.3, §5 vector 12)",
            ),
            java(
                Expect(ok=True, attempts=2, retry_counts=("0", "1")),
                note="OkHttp timeouts are IOExceptions: retried (§2, §5 vector 12)",
            ),
        ),
    ),
    Vector(
        id="connection-reset",
        behaviour="connection reset before any byte, then 200",
        source="sdk-behaviour §2 retried on connection error",
        faults=({"fault": {"kind": "reset"}, "times": 1},),
        server_only=True,
        rules=(
            Rule(
                "http",
                Expect(ok=False, attempts=1, error=("RemoteProtocolError", "ReadError", "ConnectError")),
            ),
            *stainless(Expect(ok=True, attempts=2)),
            go(Expect(ok=True, attempts=2), note="res == nil: retried (§3.3 shouldRetry)"),
            java(Expect(ok=True, attempts=2), note="IOException: retried (§3.4 shouldRetry(throwable))"),
        ),
    ),
    Vector(
        id="stream-error-event",
        behaviour='stream: data: {"error": ...} after 3 events',
        source="sdk-behaviour §5 vector 13, §3.1 Streaming, §3.2 Streaming",
        operation="chat_stream",
        faults=({"fault": {"kind": "error_event", "after_chunks": 3}},),
        rules=(
            Rule("http", Expect(ok=False, attempts=1, error="stream error event", done=False)),
            *stainless(Expect(ok=False, attempts=1, error="APIError")),
            go(
                Expect(ok=False, attempts=1, error="StreamError"),
                note="Stream.Err() is *ssestream.StreamError (§3.3)",
            ),
            java(Expect(ok=False, attempts=1, error="SseException"), note="SseHandler: error field (§3.4)"),
        ),
    ),
    Vector(
        id="stream-event-error",
        behaviour="stream: an `event: error` line whose data has no error key, after 3 events",
        source="sdk-behaviour §5 vector 13 (the Node-only trigger), §3.1 Streaming, §3.2 Streaming",
        operation="chat_stream",
        faults=(
            {
                "fault": {
                    "kind": "error_event",
                    "after_chunks": 3,
                    "sse_event": True,
                    "error": {"message": "overloaded"},
                }
            },
        ),
        rules=(
            Rule("http", Expect(ok=True, attempts=1, done=False)),
            Rule("openai-python", Expect(ok=True, attempts=1)),
            Rule("openai-node", Expect(ok=False, attempts=1, error="APIError")),
            go(Expect(ok=True, attempts=1), note="only data with an error key ends the stream (§3.3)"),
            java(
                Expect(ok=True, attempts=1),
                observed=Expect(ok=False, attempts=1, error="OpenAIInvalidDataException"),
                note="sdk-behaviour §3.4: SseHandler raises only for a payload with an error field, so "
                "the event passes as a chunk. Observed with 4.101.0: it does pass, but the chunk has no "
                "choices, and chunk.choices() (what a typed consumer reads) throws "
                "OpenAIInvalidDataException ('`choices` is not set')",
            ),
        ),
    ),
    Vector(
        id="stream-without-done",
        behaviour="stream ends cleanly without data: [DONE]",
        source="sdk-behaviour §5 vector 13 (missing [DONE] then EOF ends cleanly)",
        operation="chat_stream",
        faults=({"fault": {"kind": "stream_cut", "after_chunks": 4, "mode": "clean"}},),
        rules=(
            Rule("http", Expect(ok=True, attempts=1, done=False)),
            *stainless(Expect(ok=True, attempts=1)),
            go(Expect(ok=True, attempts=1)),
            java(Expect(ok=True, attempts=1)),
        ),
    ),
)
