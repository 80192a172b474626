"""openai-go (``github.com/openai/openai-go/v3``), run as a small Go program (``drivers/go/main.go``).

On the classic surface it uses openai-go's ``azure`` package (``azure.WithEndpoint``, ``azure.WithAPIKey``
or ``azure.WithTokenCredential``, plus ``azure.WithUnsafeAllowHTTP`` for an http endpoint); on the v1
surface a plain client on ``<endpoint>/openai/v1/``. The module version is pinned in ``drivers/go/go.mod``.

When ``go`` is on PATH, the program is built once (``go build``, modules from the Go module proxy) into
the cache directory shared with the Node driver, ``$AOAI_CONFORMANCE_CACHE`` or ``~/.cache/aoai-mockserver``,
under ``go/openai-go-<version>-<hash of the driver's sources>``. Without Go, or when the build fails,
the driver skips with that reason. Each call is one process: the DriverCall as JSON on stdin, the Outcome
on stdout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from ..targets import Target
from .process import CLIENT_ENV, ProcessDriver, cache_root, sources_digest, without

HERE = Path(__file__).resolve().parent / "go"
MODULE = "github.com/openai/openai-go/v3"
BUILD_TIMEOUT = 900
NO_GO = "Go is not installed (go is not on PATH); install Go 1.26+ to run the openai-go driver"
BUILD_FAILED = "go build of {folder} failed: {detail}"


def module_version() -> str:
    """The openai-go version that go.mod pins (without the leading ``v``)."""
    text = (HERE / "go.mod").read_text(encoding="utf-8")
    found = re.search(rf"^\s*(?:require\s+)?{re.escape(MODULE)}\s+v(\S+)", text, re.MULTILINE)
    return found.group(1) if found else "unknown"


class GoOpenAI(ProcessDriver):
    name = "go"
    sdk = "openai-go"

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


@cache
def go_version() -> str:
    """``Go 1.26.8`` from ``go version`` (empty without Go)."""
    go = shutil.which("go")
    if go is None:
        return ""
    out = subprocess.run([go, "version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"go(\d+\.\d+(?:\.\d+)?)", out)
    return f"Go {found.group(1)}" if found else out.strip()


@cache
def built_driver() -> tuple[Path | None, str | None]:
    """The driver binary in the cache (built on first use), or why there is none."""
    go = shutil.which("go")
    if go is None:
        return None, NO_GO
    sources = [HERE / name for name in ("go.mod", "go.sum", "main.go")]
    folder = cache_root() / "go" / f"openai-go-{module_version()}-{sources_digest(HERE, sources)}"
    binary = folder / "aoai-conformance-go"
    if binary.is_file():
        return binary, None
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"aoai-conformance-go.{os.getpid()}.tmp"
    env = without(CLIENT_ENV)
    env["GOFLAGS"] = "-mod=mod -buildvcs=false"
    try:
        done = subprocess.run(
            [go, "build", "-o", str(partial), "."],
            cwd=HERE,
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, BUILD_FAILED.format(folder=HERE, detail=f"no answer in {BUILD_TIMEOUT} s")
    if done.returncode != 0 or not partial.is_file():
        detail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        return None, BUILD_FAILED.format(folder=HERE, detail=detail or f"exit {done.returncode}")
    partial.replace(binary)
    return binary, None
