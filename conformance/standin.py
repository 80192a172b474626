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
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .recordings import ROOT, missing_reason, recording_files
from .serve import ServeProcess
from .target_kinds import ENDPOINT_ENV, KEEP_RECORDED_ENV, KEY_ENV

STANDIN_KEY = "standin-key"  # the replay server accepts any key; recording 06's request still gets its 401


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


def replay_server(cassette: Path) -> ServeProcess:
    """``python -m mockserver serve --port 0 --replay CASSETTE`` in a subprocess."""
    return ServeProcess("--replay", str(cassette))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    reason = missing_reason()
    if reason:
        print(f"conformance stand-in skipped: {reason}")
        return 0
    with tempfile.TemporaryDirectory(prefix="aoai-standin-") as folder:
        cassette = Path(folder) / "reference-recordings.json"
        import_recordings([str(path) for path in recording_files()], cassette)
        return run_against(replay_server(cassette), args)


def run_against(server: ServeProcess, args: list[str]) -> int:
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
