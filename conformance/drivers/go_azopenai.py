"""The Azure-maintained legacy Go SDK, ``github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai`` v0.7.2 on
azcore, run as a small Go program (``drivers/go_azopenai/main.go``; its seed samples in ``samples.go``).

v0.7.2 is the newest release with its own client (``NewClientWithKeyCredential``, ``GetChatCompletions``
and ``...Stream``, ``GetEmbeddings``, ...); from 0.8.0 the package is a types companion of openai-go
(sdk-behaviour §4.2, §8). Retries, timeouts and errors are azcore's: ``policy.RetryOptions`` (3 retries of
408, 429, 500, 502, 503, 504; ``TryTimeout`` per attempt), ``*azcore.ResponseError``. It talks to the
target's https endpoint with nil-equivalent options and trusts the mock's CA through ``SSL_CERT_FILE``, as
the README says; over http azcore refuses to send the key unless ``InsecureAllowCredentialWithHTTP`` is set.

Built once with ``go build`` into the conformance cache (``drivers.builds``) under
``go/azopenai-<version>-<hash of the driver's sources>``; without Go, or when the build fails, the driver
skips with the reason. Each call is one process: the Call as JSON on stdin, the Outcome on stdout.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..targets import Target
from .builds import go_build
from .go_openai import go_version
from .process import ProcessDriver

HERE = Path(__file__).resolve().parent / "go_azopenai"
MODULE = "github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai"
BINARY = "aoai-conformance-go-azopenai"


def module_version(module: str = MODULE) -> str:
    """The version go.mod pins (without the leading ``v``)."""
    text = (HERE / "go.mod").read_text(encoding="utf-8")
    found = re.search(rf"^\s*(?:require\s+)?{re.escape(module)}\s+v(\S+)", text, re.MULTILINE)
    return found.group(1) if found else "unknown"


def built_driver() -> tuple[Path | None, str | None]:
    return go_build(HERE, BINARY, f"azopenai-{module_version()}")


class GoAzOpenAI(ProcessDriver):
    name = "go-azopenai"
    sdk = "azopenai-go"
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
        go = go_version() or "Go (absent)"
        return f"{go}, azcore {module_version('github.com/Azure/azure-sdk-for-go/sdk/azcore')}"

    def command(self) -> list[str]:
        assert self.binary is not None, "call unavailable() first"
        return [str(self.binary)]

    def extra_env(self) -> dict[str, str]:
        ca = self.ca_file()
        return {"SSL_CERT_FILE": ca} if ca else {}
