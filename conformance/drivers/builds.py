"""Building the Go and Java drivers once into the conformance cache, and trusting the mock's CA.

Everything a build fetches lands in the cache directory (``$AOAI_CONFORMANCE_CACHE`` or
``~/.cache/aoai-mockserver``): Go modules under ``go/mod``, Maven artifacts under ``java/m2``, so that a
CI run can keep one folder warm and a fresh machine needs nothing but the toolchains. (Go's build
cache stays Go's own, ``go env GOCACHE``: compiled packages, not downloads, shared with the user's other
builds.) A built driver is keyed by its SDK version and a hash of its sources, so an edited driver is
built anew; a failed or missing toolchain is a reason to skip, never a crash.

The TLS drivers' clients trust the mock's CA the way the README tells users to: Go through
``SSL_CERT_FILE``; Java through a PKCS12 truststore that ``keytool -importcert`` makes from the CA
(kept in the cache, named by the CA's hash) and ``-Djavax.net.ssl.trustStore``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from .process import CLIENT_ENV, cache_root, sources_digest, without

BUILD_TIMEOUT = 900
GO_FAILED = "go build of {folder} failed: {detail}"
MVN_FAILED = "mvn package of {folder} failed: {detail}"
NO_KEYTOOL = "keytool (the JDK's) is not on PATH, so no truststore can be made for the mock's CA"
STORE_PASSWORD = "changeit"


def go_env() -> dict[str, str]:
    """The build environment: the modules in the conformance cache (writable, so it can be deleted)."""
    env = without(CLIENT_ENV)
    env["GOFLAGS"] = "-mod=mod -buildvcs=false -modcacherw"
    env["GOMODCACHE"] = str(cache_root() / "go" / "mod")
    return env


@cache
def go_build(source: Path, binary: str, tag: str) -> tuple[Path | None, str | None]:
    """``source`` built with ``go build`` into ``go/<tag>-<hash>/<binary>`` in the cache."""
    go = shutil.which("go")
    if go is None:
        return None, "Go is not installed (go is not on PATH); install Go 1.26+ to run this driver"
    files = sorted(p for p in source.iterdir() if p.suffix == ".go" or p.name in ("go.mod", "go.sum"))
    folder = cache_root() / "go" / f"{tag}-{sources_digest(source, files)}"
    built = folder / binary
    if built.is_file():
        return built, None
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{binary}.{os.getpid()}.tmp"
    try:
        done = subprocess.run(
            [go, "build", "-o", str(partial), "."],
            cwd=source,
            env=go_env(),
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, GO_FAILED.format(folder=source, detail=f"no answer in {BUILD_TIMEOUT} s")
    if done.returncode != 0 or not partial.is_file():
        detail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        return None, GO_FAILED.format(folder=source, detail=detail or f"exit {done.returncode}")
    partial.replace(built)
    return built, None


def maven_repository() -> Path:
    return cache_root() / "java" / "m2"


@cache
def maven_build(
    source: Path, jar: str, tag: str, hidden: tuple[str, ...] = CLIENT_ENV
) -> tuple[Path | None, str | None]:
    """``source`` (a pom.xml and src/) packaged with ``mvn`` into ``java/<tag>-<hash>/<jar>`` in the cache;
    the build runs on a copy (it leaves target/ behind) with the local repository in the cache."""
    if shutil.which("java") is None:
        return None, "Java is not installed (java is not on PATH); install a JDK 17+ to run this driver"
    mvn = shutil.which("mvn")
    if mvn is None:
        return None, "Maven is not installed (mvn is not on PATH), so this Java driver cannot be built"
    files = [source / "pom.xml", *sorted((source / "src").rglob("*.java"))]
    folder = cache_root() / "java" / f"{tag}-{sources_digest(source, files)}"
    built = folder / jar
    if built.is_file():
        return built, None
    work = folder / f"build.{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    for path in files:
        copy = work / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    command = [mvn, "-B", "-q", "-Dstyle.color=never", f"-Dmaven.repo.local={maven_repository()}", "package"]
    try:
        done = subprocess.run(
            command,
            cwd=work,
            env=without(hidden),
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(work, ignore_errors=True)
        return None, MVN_FAILED.format(folder=source, detail=f"no answer in {BUILD_TIMEOUT} s")
    output = work / "target" / jar
    if done.returncode != 0 or not output.is_file():
        lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("[ERROR] ")]  # the first ones name the cause
        shutil.rmtree(work, ignore_errors=True)
        detail = " ".join(errors[:3] or lines[-3:])
        return None, MVN_FAILED.format(folder=source, detail=detail or f"exit {done.returncode}")
    output.replace(built)
    shutil.rmtree(work, ignore_errors=True)
    return built, None


@cache
def truststore(ca_path: Path) -> tuple[Path | None, str | None]:
    """A PKCS12 truststore holding ``ca_path``, made with keytool as the README says (kept in the cache)."""
    keytool = shutil.which("keytool")
    if keytool is None:
        return None, NO_KEYTOOL
    digest = hashlib.sha256(ca_path.read_bytes()).hexdigest()[:12]
    store = cache_root() / "java" / f"truststore-{digest}.p12"
    if store.is_file():
        return store, None
    store.parent.mkdir(parents=True, exist_ok=True)
    partial = store.with_name(f".{store.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    done = subprocess.run(
        [
            keytool,
            "-importcert",
            "-noprompt",
            "-alias",
            "aoai-mock",
            "-file",
            str(ca_path),
            "-storetype",
            "PKCS12",
            "-keystore",
            str(partial),
            "-storepass",
            STORE_PASSWORD,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0 or not partial.is_file():
        return None, f"keytool -importcert of {ca_path} failed: {(done.stderr or done.stdout).strip()[-200:]}"
    partial.replace(store)
    return store, None


def java_trust(store: Path | None) -> list[str]:
    """The JVM options that make it trust ``store`` (none for the JVM's own trust)."""
    if store is None:
        return []
    return [
        f"-Djavax.net.ssl.trustStore={store}",
        f"-Djavax.net.ssl.trustStorePassword={STORE_PASSWORD}",
        "-Djavax.net.ssl.trustStoreType=PKCS12",
    ]
