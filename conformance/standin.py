"""A stand-in for real Azure: the ``azure`` target run against a replay of the reference recordings.

    python -m conformance.standin [pytest args...]

imports every reference recording (Azure SDK test-proxy format) with ``aoai-mock import`` and starts
``aoai-mock serve --replay <cassette>`` (``mockserver.replay``) on 127.0.0.1 and a free port, points
``AZURE_OPENAI_ENDPOINT`` at it, and runs ``pytest conformance --target azure -m recorded``: the
contract tests that correspond to recorded exchanges, through exactly the code path a run against
a real resource takes, without credentials. CI runs it after the suite (``.ci/run``).

The recorded deployment names are kept (``AOAI_CONFORMANCE_KEEP_RECORDED_DEPLOYMENTS=1``), since the
replay answers only the recorded requests. Without the recordings it says so and exits 0.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from .recordings import ROOT, missing_reason, recording_files
from .targets import ENDPOINT_ENV, KEEP_RECORDED_ENV, KEY_ENV

STANDIN_KEY = "standin-key"  # the replay server accepts any key; recording 06's request still gets its 401
BANNER = re.compile(r"http://127\.0\.0\.1:(\d+)")


def import_recordings(recordings: Sequence[str], cassette: Path) -> None:
    """``aoai-mock import --drop-non-events``: one cassette, without recording 12's excerpt marker
    (a line that is not an SSE event and that Azure never sent)."""
    command = [
        sys.executable,
        "-m",
        "mockserver",
        "import",
        *recordings,
        "--cassette",
        str(cassette),
        "--drop-non-events",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"aoai-mock import failed: {done.stderr or done.stdout}")


class ReplayServer:
    """``python -m mockserver serve --port 0 --replay CASSETTE`` in a subprocess."""

    def __init__(self, cassette: Path) -> None:
        command = [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--replay", str(cassette)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        match = BANNER.search(self.process.stdout.readline())
        if match is None:
            self.stop()
            raise RuntimeError(f"the replay server did not start: {self.errors()}")
        self.endpoint = f"http://127.0.0.1:{match.group(1)}"
        self.wait_ready()

    def wait_ready(self, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.endpoint}/_mock/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the replay server did not become ready")

    def errors(self) -> str:
        return self.process.stderr.read() if self.process.stderr and self.process.poll() is not None else ""

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


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    reason = missing_reason()
    if reason:
        print(f"conformance stand-in skipped: {reason}")
        return 0
    with tempfile.TemporaryDirectory(prefix="aoai-standin-") as folder:
        cassette = Path(folder) / "reference-recordings.json"
        import_recordings([str(path) for path in recording_files()], cassette)
        return run_against(ReplayServer(cassette), args)


def run_against(server: ReplayServer, args: list[str]) -> int:
    try:
        env = {**os.environ, ENDPOINT_ENV: server.endpoint, KEY_ENV: STANDIN_KEY, KEEP_RECORDED_ENV: "1"}
        print(
            f"conformance stand-in: replay of {len(recording_files())} recordings at {server.endpoint}",
            flush=True,
        )
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "conformance"),
            "--target",
            "azure",
            "-m",
            "recorded",
            "-p",
            "no:cacheprovider",
            *args,
        ]
        return subprocess.call(command, cwd=ROOT, env=env)
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
