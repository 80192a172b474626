"""What the drivers that run another language share: one child process per call, the DriverCall as JSON on
stdin and the Outcome as the last JSON line on stdout, a cache directory for built or installed SDKs,
and an environment without the variables a client would read by itself (sdk-behaviour §3.2).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from ..targets import NO_SOCKET, Target
from .protocol import Driver, DriverCall, Outcome

CALL_TIMEOUT = 180
NO_HTTPS = (
    "its client sends keys over https only; target {target} serves {endpoint} (give an https --base-url)"
)
CACHE_ENV = "AOAI_CONFORMANCE_CACHE"
# Variables a client reads by itself; a driver's process starts without them.
CLIENT_ENV = (
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "OPENAI_API_VERSION",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "OPENAI_LOG",
)


def cache_root() -> Path:
    """``$AOAI_CONFORMANCE_CACHE``, else ``aoai-mockserver`` in ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "aoai-mockserver"


def without(names: Iterable[str]) -> dict[str, str]:
    """This process's environment without ``names``."""
    hidden = set(names)
    return {k: v for k, v in os.environ.items() if k not in hidden}


def sources_digest(root: Path, paths: Iterable[Path]) -> str:
    """A short hash of the driver's sources, so an edited driver is built anew."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


class ProcessDriver(Driver):
    """A driver whose client runs in a child process (``command``), prepared once (``prepare``)."""

    hidden_env: tuple[str, ...] = CLIENT_ENV

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.problem: str | None = None
        self.checked = False

    def unavailable(self) -> str | None:
        if not self.checked:
            self.checked = True
            if not self.target.socket:
                self.problem = NO_SOCKET
            elif self.tls and self.target.endpoint_for(True) is None:
                self.problem = NO_HTTPS.format(target=self.target.name, endpoint=self.target.endpoint)
            else:
                self.problem = self.prepare()
        return self.problem

    def prepare(self) -> str | None:
        """Build or install the client; why it cannot run here, or None."""
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def extra_env(self) -> dict[str, str]:
        return {}

    def ca_file(self) -> str | None:
        """The CA this driver's client must trust for the target (the mock's, on its https endpoint)."""
        if self.tls and self.target.ca_path is not None:
            return str(self.target.ca_path)
        return None

    def run(self, call: DriverCall) -> Outcome:
        env = without(self.hidden_env)
        env.update(call.env)
        env.update(self.extra_env())
        done = subprocess.run(
            self.command(),
            input=json.dumps(call.to_json()),
            capture_output=True,
            text=True,
            env=env,
            timeout=CALL_TIMEOUT,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            return self.outcome(
                ok=False,
                error_class="DriverCrash",
                message=f"{self.name} driver exited {done.returncode}: {done.stderr[-400:]}",
            )
        return Outcome.from_json(json.loads(lines[-1]))
