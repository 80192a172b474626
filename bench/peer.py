"""The peer for ``bench_server.py`` (issue 18): the Node mock ``@copilotkit/aimock``, pinned.

Installed once with npm into the bench cache (``$AOAI_BENCH_CACHE``, default
``~/.cache/aoai-mock-bench``; one folder per version) and reused while its ``package.json`` says the
pinned version. It is run with its ``llmock`` bin (``dist/cli.js``, the one its Docker image runs;
the ``aimock`` bin takes no ``--fixtures``) on 127.0.0.1, port 0, one fixture file:

  * ``match: {"endpoint": "chat"}``: every chat completion, whatever its prompt, so the varied
    workloads get a 200 each time (aimock's router skips a fixture whose ``endpoint`` differs from
    the request's; a match with no keys would be a catch-all too, but it would also catch
    embeddings and answer them 500, a chat fixture not being an embedding);
  * ``response.content``: the mock's own answer text for the bench's prompt, and ``chunkSize`` its
    length over 50, so a stream has about 50 content chunks as the mock's has;
  * embeddings have no fixture: aimock answers them with its own deterministic 1,536-float vector
    (sha256 of the input), a different one for each input.

aimock serves Azure's ``/openai/deployments/{d}/chat/completions`` and ``/embeddings`` paths itself
(``AZURE_DEPLOYMENT_RE`` in its ``dist/server.js``), so it is loaded on the same URLs as the mock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

PACKAGE = "@copilotkit/aimock"
VERSION = "1.43.0"
BIN = "llmock"
STREAM_CHUNKS = 50
BANNER = "listening on"  # the line that carries its URL: "[aimock] aimock server listening on http://..."


def cache_dir() -> Path:
    base = os.environ.get("AOAI_BENCH_CACHE") or str(Path.home() / ".cache" / "aoai-mock-bench")
    return Path(base) / f"aimock-{VERSION}"


def package_dir(prefix: Path) -> Path:
    return prefix / "node_modules" / "@copilotkit" / "aimock"


def installed_version(prefix: Path) -> str | None:
    try:
        meta = json.loads((package_dir(prefix) / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = meta.get("version")
    return version if isinstance(version, str) else None


def install() -> tuple[Path | None, str]:
    """The path of aimock's ``llmock`` bin, installing it first if needed; or None and why not."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        return None, f"{' and '.join(missing)} not on PATH"
    prefix = cache_dir()
    how = f"reused {prefix}"
    if installed_version(prefix) != VERSION:
        prefix.mkdir(parents=True, exist_ok=True)
        cmd = ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error"]
        print(f"installing the peer: {' '.join(cmd)} {PACKAGE}@{VERSION} ...", flush=True)
        try:
            out = subprocess.run(
                [*cmd, f"{PACKAGE}@{VERSION}"], capture_output=True, text=True, timeout=300, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"npm install failed: {exc}"
        if out.returncode != 0 or installed_version(prefix) != VERSION:
            lines = [ln for ln in out.stderr.splitlines() if ln.strip() and "complete log" not in ln]
            why = "; ".join(lines[:2]) or "no output"
            return None, f"npm install {PACKAGE}@{VERSION} failed ({out.returncode}): {why}"
        how = f"installed into {prefix}"
    try:
        meta = json.loads((package_dir(prefix) / "package.json").read_text())
        return package_dir(prefix) / meta["bin"][BIN], how
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"{PACKAGE}@{VERSION} has no '{BIN}' bin: {exc!r}"


def write_fixture(path: Path, content: str) -> int:
    """Write the catch-all chat fixture answering ``content``; returns its chunk size (characters)."""
    chunk_size = max(1, round(len(content) / STREAM_CHUNKS))
    fixture = {"match": {"endpoint": "chat"}, "response": {"content": content}, "chunkSize": chunk_size}
    path.write_text(json.dumps({"fixtures": [fixture]}, indent=2))
    return chunk_size


def command(bin_path: Path, fixture: Path) -> list[str]:
    """aimock on 127.0.0.1 and a free port; info logging prints the URL and nothing per request."""
    node = shutil.which("node") or "node"
    return [node, str(bin_path), "-p", "0", "-h", "127.0.0.1", "-f", str(fixture), "--log-level", "info"]
