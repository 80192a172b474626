"""The ``openai`` npm package's ``AzureOpenAI``, run by Node.js (``drivers/node/driver.mjs``).

When ``node`` and ``npm`` are on PATH, the package named in ``drivers/node/package.json`` (or
``AOAI_CONFORMANCE_NODE_OPENAI``, e.g. ``latest`` or ``6.x``) is installed once into a cache
directory, ``$AOAI_CONFORMANCE_CACHE`` or ``~/.cache/aoai-mockserver`` (``$XDG_CACHE_HOME``
respected), under ``node/openai-<version>``. Without Node.js the driver skips with that reason.
Each call is one ``node driver.mjs`` process: the DriverCall as JSON on stdin, the Outcome on stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from ..targets import Target
from .process import ProcessDriver, cache_root

HERE = Path(__file__).resolve().parent / "node"
SCRIPT = HERE / "driver.mjs"
VERSION_ENV = "AOAI_CONFORMANCE_NODE_OPENAI"
INSTALL_TIMEOUT = 300
NO_NODE = "Node.js is not installed (node is not on PATH); install Node.js 18+ to run the openai npm driver"
NO_NPM = "npm is not on PATH, so the openai npm package cannot be installed"
INSTALL_FAILED = "npm install openai@{spec} into {folder} failed: {detail}"


def package_spec() -> str:
    pinned = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]["openai"]
    return os.environ.get(VERSION_ENV) or str(pinned)


class NodeOpenAI(ProcessDriver):
    name = "node"
    sdk = "openai-node"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.folder: Path | None = None
        self.node_version = ""

    def prepare(self) -> str | None:
        self.folder, problem = installed_openai()
        self.node_version = node_version()
        return problem

    @property
    def version(self) -> str:
        if self.folder is None:
            return "not installed"
        data = json.loads(
            (self.folder / "node_modules" / "openai" / "package.json").read_text(encoding="utf-8")
        )
        return str(data["version"])

    @property
    def runtime(self) -> str:
        return f"Node {self.node_version}" if self.node_version else "Node (absent)"

    def command(self) -> list[str]:
        return ["node", str(SCRIPT)]

    def extra_env(self) -> dict[str, str]:
        assert self.folder is not None, "call unavailable() first"
        return {"AOAI_CONFORMANCE_NODE_MODULES": str(self.folder)}


@cache
def node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return ""
    return subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()


@cache
def installed_openai() -> tuple[Path | None, str | None]:
    """The cache folder holding ``node_modules/openai`` (installed on first use), or why there is none."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return None, NO_NODE
    if npm is None:
        return None, NO_NPM
    spec = package_spec()
    folder = cache_root() / "node" / f"openai-{spec.replace('/', '_')}"
    if not (folder / "node_modules" / "openai" / "package.json").is_file() or spec in ("latest", "next"):
        problem = install(npm, spec, folder)
        if problem:
            return None, problem
    return folder, None


def install(npm: str, spec: str, folder: Path) -> str | None:
    """``npm install openai@spec`` into ``folder``; the reason on failure, None on success."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(
        json.dumps({"name": "aoai-conformance-node", "private": True}), encoding="utf-8"
    )
    command = [
        npm,
        "install",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        "--loglevel=error",
        f"openai@{spec}",
    ]
    try:
        done = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return INSTALL_FAILED.format(spec=spec, folder=folder, detail=f"no answer in {INSTALL_TIMEOUT} s")
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return INSTALL_FAILED.format(
            spec=spec, folder=folder, detail=" ".join(detail) or f"exit {done.returncode}"
        )
    return None
