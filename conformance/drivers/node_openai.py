"""The ``openai`` npm package's ``AzureOpenAI``, run by Node.js (``drivers/node/driver.mjs``).

When ``node`` and ``npm`` are on PATH, the package named in ``drivers/node/package.json`` (or
``AOAI_CONFORMANCE_NODE_OPENAI``, e.g. ``latest`` or ``6.x``) is installed once into a cache
directory, ``$AOAI_CONFORMANCE_CACHE`` or ``~/.cache/aoai-mockserver`` (``$XDG_CACHE_HOME``
respected), under ``node/openai-<version>``. Without Node.js the driver skips with that reason.
Each call is one ``node driver.mjs`` process: the Call as JSON on stdin, the Outcome on stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from ..targets import NO_SOCKET, Target
from . import Call, Driver, Outcome

HERE = Path(__file__).resolve().parent / "node"
SCRIPT = HERE / "driver.mjs"
VERSION_ENV = "AOAI_CONFORMANCE_NODE_OPENAI"
CACHE_ENV = "AOAI_CONFORMANCE_CACHE"
INSTALL_TIMEOUT = 300
CALL_TIMEOUT = 180
# Variables a Node client reads by itself; the driver's process starts without them (sdk-behaviour §3.2).
CLIENT_ENV = (
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "OPENAI_API_VERSION",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "OPENAI_LOG",
)
NO_NODE = "Node.js is not installed (node is not on PATH); install Node.js 18+ to run the openai npm driver"
NO_NPM = "npm is not on PATH, so the openai npm package cannot be installed"
INSTALL_FAILED = "npm install openai@{spec} into {folder} failed: {detail}"


def package_spec() -> str:
    pinned = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]["openai"]
    return os.environ.get(VERSION_ENV) or str(pinned)


def cache_root() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "aoai-mockserver"


class NodeOpenAI(Driver):
    name = "node"
    sdk = "openai-node"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.problem: str | None = None
        self.folder: Path | None = None
        self.checked = False
        self.node_version = ""

    def unavailable(self) -> str | None:
        if not self.checked:
            self.checked = True
            self.problem = self.prepare()
        return self.problem

    def prepare(self) -> str | None:
        if not self.target.socket:
            return NO_SOCKET
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

    def run(self, call: Call) -> Outcome:
        assert self.folder is not None, "call unavailable() first"
        env = {k: v for k, v in os.environ.items() if k not in CLIENT_ENV}
        env.update(call.env)
        env["AOAI_CONFORMANCE_NODE_MODULES"] = str(self.folder)
        done = subprocess.run(
            ["node", str(SCRIPT)],
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
                message=f"node exited {done.returncode}: {done.stderr[-400:]}",
            )
        return Outcome.from_json(json.loads(lines[-1]))


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
