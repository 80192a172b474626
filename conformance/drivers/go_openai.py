"""openai-go (``github.com/openai/openai-go/v3``), run as a small Go program (``drivers/go/main.go``).

On the classic surface it uses openai-go's ``azure`` package (``azure.WithEndpoint``, ``azure.WithAPIKey``
or ``azure.WithTokenCredential``, plus ``azure.WithUnsafeAllowHTTP`` for an http endpoint); on the v1
surface a plain client on ``<endpoint>/openai/v1/``. The module version is pinned in ``drivers/go/go.mod``.
It talks to the target's https endpoint, trusting the mock's CA through ``SSL_CERT_FILE`` (README "TLS");
``GoOpenAIHttp`` (``go-http``) is the same client on the http endpoint, with ``WithUnsafeAllowHTTP``.

When ``go`` is on PATH, the program is built once (``go build``, modules from the Go module proxy into the
cache, ``drivers.builds``) into the cache directory shared with the other drivers,
``$AOAI_CONFORMANCE_CACHE`` or ``~/.cache/aoai-mockserver``, under
``go/openai-go-<version>-<hash of the driver's sources>``. Without Go, or when the build fails, the driver
skips with that reason. Each call is one process: the DriverCall as JSON on stdin, the Outcome on stdout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from ..targets import Target
from .builds import go_build
from .process import ProcessDriver

HERE = Path(__file__).resolve().parent / "go"
MODULE = "github.com/openai/openai-go/v3"


def module_version() -> str:
    """The openai-go version that go.mod pins (without the leading ``v``)."""
    text = (HERE / "go.mod").read_text(encoding="utf-8")
    found = re.search(rf"^\s*(?:require\s+)?{re.escape(MODULE)}\s+v(\S+)", text, re.MULTILINE)
    return found.group(1) if found else "unknown"


class GoOpenAI(ProcessDriver):
    name = "go"
    sdk = "openai-go"
    tls = True

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.binary: Path | None = None

    def prepare(self) -> str | None:
        self.binary, problem = built_driver()
        return problem

    @property
    def version(self) -> str:
        return module_version()

    @property
    def runtime(self) -> str:
        return go_version() or "Go (absent)"

    def command(self) -> list[str]:
        assert self.binary is not None, "call unavailable() first"
        return [str(self.binary)]

    def extra_env(self) -> dict[str, str]:
        ca = self.ca_file()
        return {"SSL_CERT_FILE": ca} if ca else {}  # Go's crypto/x509 reads it on Linux (README "TLS")


class GoOpenAIHttp(GoOpenAI):
    """openai-go on the plain http endpoint (``azure.WithUnsafeAllowHTTP``): the variant before TLS."""

    name = "go-http"
    tls = False


@cache
def go_version() -> str:
    """``Go 1.26.8`` from ``go version`` (empty without Go)."""
    go = shutil.which("go")
    if go is None:
        return ""
    out = subprocess.run([go, "version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"go(\d+\.\d+(?:\.\d+)?)", out)
    return f"Go {found.group(1)}" if found else out.strip()


def built_driver() -> tuple[Path | None, str | None]:
    """The driver binary in the cache (built on first use), or why there is none."""
    return go_build(HERE, "aoai-conformance-go", f"openai-go-{module_version()}")
