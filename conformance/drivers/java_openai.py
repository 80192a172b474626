"""openai-java (``com.openai:openai-java``), run as a small Java program (``drivers/java/``).

On the classic surface the client is pointed at the endpoint with the Azure URL layout forced
(``AzureUrlPathMode.LEGACY``: openai-java recognises Azure by host name only), the DriverCall's api-version,
and ``AzureApiKeyCredential`` or ``BearerTokenCredential``; on the v1 surface a plain client on
``<endpoint>/openai/v1/``. The SDK version is pinned in ``drivers/java/pom.xml``.

When ``java`` and ``mvn`` are on PATH, the driver is built once (``mvn -B -q package``, a shaded jar,
dependencies from Maven Central into the usual local repository) into the cache directory shared with
the Node and Go drivers, ``$AOAI_CONFORMANCE_CACHE`` or ``~/.cache/aoai-mockserver``, under
``java/openai-java-<version>-<hash of the driver's sources>``. Without them, or when the build fails,
the driver skips with that reason. Each call is one ``java -jar`` process: the DriverCall as JSON on stdin,
the Outcome on stdout.
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

HERE = Path(__file__).resolve().parent / "java"
JAR = "aoai-conformance-java.jar"
BUILD_TIMEOUT = 900
# openai-java's fromEnv() reads these (sdk-behaviour §3.4); the child starts without them as well
JAVA_ENV = (*CLIENT_ENV, "AZURE_OPENAI_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY")
NO_JAVA = "Java is not installed (java is not on PATH); install a JDK 17+ to run the openai-java driver"
NO_MVN = "Maven is not installed (mvn is not on PATH), so the openai-java driver cannot be built"
BUILD_FAILED = "mvn package of {folder} failed: {detail}"


def sdk_version() -> str:
    """The openai-java version that pom.xml pins."""
    text = (HERE / "pom.xml").read_text(encoding="utf-8")
    found = re.search(r"<openai-java\.version>([^<]+)</openai-java\.version>", text)
    return found.group(1).strip() if found else "unknown"


class JavaOpenAI(ProcessDriver):
    name = "java"
    sdk = "openai-java"
    hidden_env = JAVA_ENV

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.jar: Path | None = None

    def prepare(self) -> str | None:
        self.jar, problem = built_driver()
        return problem

    @property
    def version(self) -> str:
        return sdk_version()

    @property
    def runtime(self) -> str:
        return java_version() or "Java (absent)"

    def command(self) -> list[str]:
        assert self.jar is not None, "call unavailable() first"
        return ["java", "-XX:TieredStopAtLevel=1", "-jar", str(self.jar)]


@cache
def java_version() -> str:
    """``Java 17.0.15`` from ``java -version`` (empty without Java)."""
    java = shutil.which("java")
    if java is None:
        return ""
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    found = re.search(r'version "([^"]+)"', done.stderr or done.stdout)
    return f"Java {found.group(1)}" if found else "Java (unknown version)"


def sources() -> list[Path]:
    return [HERE / "pom.xml", *sorted((HERE / "src").rglob("*.java"))]


@cache
def built_driver() -> tuple[Path | None, str | None]:
    """The driver's jar in the cache (built on first use), or why there is none."""
    java, mvn = shutil.which("java"), shutil.which("mvn")
    if java is None:
        return None, NO_JAVA
    if mvn is None:
        return None, NO_MVN
    folder = cache_root() / "java" / f"openai-java-{sdk_version()}-{sources_digest(HERE, sources())}"
    jar = folder / JAR
    if jar.is_file():
        return jar, None
    work = folder / f"build.{os.getpid()}"  # a copy of the sources: the build leaves target/ there
    shutil.rmtree(work, ignore_errors=True)
    for path in sources():
        copy = work / path.relative_to(HERE)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    try:
        done = subprocess.run(
            [mvn, "-B", "-q", "-Dstyle.color=never", "package"],
            cwd=work,
            env=without(JAVA_ENV),
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(work, ignore_errors=True)
        return None, BUILD_FAILED.format(folder=HERE, detail=f"no answer in {BUILD_TIMEOUT} s")
    built = work / "target" / JAR
    if done.returncode != 0 or not built.is_file():
        lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("[ERROR] ")]  # the first ones name the cause
        shutil.rmtree(work, ignore_errors=True)
        detail = " ".join(errors[:3] or lines[-3:])
        return None, BUILD_FAILED.format(folder=HERE, detail=detail or f"exit {done.returncode}")
    built.replace(jar)
    shutil.rmtree(work, ignore_errors=True)
    return jar, None
