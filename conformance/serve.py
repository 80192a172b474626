"""``aoai-mock serve`` in a subprocess on 127.0.0.1 and a free port, as users run it.

Shared by the conformance stand-in (a replay server) and the project's own live tests.
"""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import sys
import time
from typing import Any

import httpx

BANNER = re.compile(r"(https?)://127\.0\.0\.1:(\d+)")
CA_LINE = re.compile(r"^  CA:\s+(\S+)")
BANNER_END = "  deployments:"


class ServeProcess:
    """``python -m mockserver serve --port 0 ARGS...``; ``endpoint`` once ready, ``stop()`` to end it.

    ready_after: seconds from launch to the first 200 from ``/_mock/health``.
    banner: the lines printed before the deployments. ca: the CA the banner names (``--tls``), or None.
    """

    def __init__(self, *args: str, ready_within: float = 15, verify: Any = None) -> None:
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
        self.endpoint = f"{match.group(1)}://127.0.0.1:{match.group(2)}"
        self.banner = [first.rstrip("\n")]
        self.ca: str | None = None
        if match.group(1) == "https":  # the rest of the head names the CA
            for line in iter(self.process.stdout.readline, ""):
                if line.startswith(BANNER_END):
                    break
                self.banner.append(line.rstrip("\n"))
                found = CA_LINE.match(line)
                self.ca = found.group(1) if found else self.ca
        self.verify = (
            verify
            if verify is not None
            else (ssl.create_default_context(cafile=self.ca) if self.ca else True)
        )
        self.ready_after = self.wait_ready(ready_within)

    def wait_ready(self, seconds: float) -> float:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if (
                    httpx.get(f"{self.endpoint}/_mock/health", timeout=1, verify=self.verify).status_code
                    == 200
                ):
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
