"""``aoai-mock serve --workers N``: N server processes on one listening socket.

The parent binds the port, then forks the workers (the pre-fork model of the OS: every worker
accepts from the same socket and the kernel hands each connection to one of them; no balancer of our
own). Each worker builds its own app after the fork, so it has its own event loop and its own
connections to the shared state, which is what makes N processes one resource: with the memory
backend each would be a resource of its own, so ``refusal`` turns that down before anything starts.
The parent passes SIGINT and SIGTERM on to the workers and exits when they have all stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

from .config_keys import MEMORY_STATE

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def refusal(workers: int, state: str) -> str | None:
    """Why ``workers`` cannot serve with ``state``, as one line; None when they can."""
    if workers < 1:
        return f"--workers must be 1 or more, got {workers}"
    if workers > 1 and state == MEMORY_STATE:
        return (
            f"--workers {workers} needs shared state: with the memory backend each worker would keep its "
            "own fault counters, rate-limit windows and journal; add --state redis://HOST:PORT/DB"
        )
    if workers > 1 and not hasattr(os, "fork"):
        return "--workers needs a platform with fork(); run one process per port behind a load balancer"
    return None


def serve_forked(workers: int, sock: socket.socket, run: Callable[[socket.socket], int]) -> int:
    """Run ``run(sock)`` in ``workers`` forked processes; the exit code is the first failure's, or 0."""
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            code = 1
            try:
                code = run(sock)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children.append(pid)

    def forward(sig: int, frame: FrameType | None) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, sig)

    for sig in STOP_SIGNALS:
        signal.signal(sig, forward)
    code = 0
    for child in children:
        while True:
            try:
                _, status = os.waitpid(child, 0)
                break
            except InterruptedError:
                continue
        exit_code = os.waitstatus_to_exitcode(status)
        if exit_code not in (0, -signal.SIGINT, -signal.SIGTERM) and code == 0:
            code = exit_code if exit_code > 0 else 1
    return code
