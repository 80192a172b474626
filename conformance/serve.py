"""``aoai-mock serve`` in a subprocess on 127.0.0.1 and a free port, as users run it.

Shared by the conformance stand-in (a replay server) and the project's own live tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

BANNER = re.compile(r"http://127\.0\.0\.1:(\d+)")


class ServeProcess:
    """``python -m mockserver serve --port 0 ARGS...``; ``endpoint`` once ready, ``stop()`` to end it.

    ready_after: seconds from launch to the first 200 from ``/_mock/health``.
    """

    def __init__(self, *args: str, ready_within: float = 15) -> None:
        command = [sys.executable, "-m", "mockserver", "serve", "--port", "0", *args]
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ}
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        match = BANNER.search(first)
        if match is None:
            self.process.kill()
            errors = self.process.stderr.read() if self.process.stderr else ""
            self.stop()
            raise RuntimeError(f"aoai-mock serve did not start: {first!r} {errors!r}")
        self.endpoint = f"http://127.0.0.1:{match.group(1)}"
        self.ready_after = self.wait_ready(ready_within)

    def wait_ready(self, seconds: float) -> float:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.endpoint}/_mock/health", timeout=1).status_code == 200:
                    return time.monotonic() - self.started
            except httpx.HTTPError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"aoai-mock serve at {self.endpoint} did not become ready in {seconds:g} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
