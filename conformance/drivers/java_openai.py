"""openai-java (``com.openai:openai-java``), run as a small Java program (``drivers/java/``).

On the classic surface the client is pointed at the endpoint with the Azure URL layout forced
(``AzureUrlPathMode.LEGACY``: openai-java recognises Azure by host name only), the DriverCall's api-version,
and ``AzureApiKeyCredential`` or ``BearerTokenCredential``; on the v1 surface a plain client on
``<endpoint>/openai/v1/``. The SDK version is pinned in ``drivers/java/pom.xml``. It talks to the target's
https endpoint, the JVM trusting the mock's CA through a PKCS12 truststore made with keytool and
``-Djavax.net.ssl.trustStore`` (README "TLS"); ``JavaOpenAIHttp`` (``java-http``) is the same client on the
http endpoint.

When ``java`` and ``mvn`` are on PATH, the driver is built once (``mvn -B -q package``, a shaded jar,
dependencies from Maven Central into the usual local repository) into the cache directory shared with
the Node and Go drivers, ``$AOAI_CONFORMANCE_CACHE`` or ``~/.cache/aoai-mockserver``, under
``java/openai-java-<version>-<hash of the driver's sources>``. Without them, or when the build fails,
the driver skips with that reason. Each call is one ``java -jar`` process: the DriverCall as JSON on stdin,
the Outcome on stdout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from ..targets import Target
from .builds import java_trust, maven_build, truststore
from .process import CLIENT_ENV, ProcessDriver

HERE = Path(__file__).resolve().parent / "java"
JAR = "aoai-conformance-java.jar"
# openai-java's fromEnv() reads these (sdk-behaviour §3.4); the child starts without them as well
JAVA_ENV = (*CLIENT_ENV, "AZURE_OPENAI_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY")


def sdk_version() -> str:
    """The openai-java version that pom.xml pins."""
    text = (HERE / "pom.xml").read_text(encoding="utf-8")
    found = re.search(r"<openai-java\.version>([^<]+)</openai-java\.version>", text)
    return found.group(1).strip() if found else "unknown"


class JavaOpenAI(ProcessDriver):
    name = "java"
    sdk = "openai-java"
    hidden_env = JAVA_ENV
    tls = True

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.jar: Path | None = None
        self.store: Path | None = None

    def prepare(self) -> str | None:
        self.jar, problem = built_driver()
        return problem or self.trust()

    def trust(self) -> str | None:
        """The truststore for the mock's CA, when the client goes to the mock's https endpoint."""
        ca = self.ca_file()
        if ca is None:
            return None
        self.store, problem = truststore(Path(ca))
        return problem

    @property
    def version(self) -> str:
        return sdk_version()

    @property
    def runtime(self) -> str:
        return java_version() or "Java (absent)"

    def command(self) -> list[str]:
        assert self.jar is not None, "call unavailable() first"
        return ["java", "-XX:TieredStopAtLevel=1", *java_trust(self.store), "-jar", str(self.jar)]


class JavaOpenAIHttp(JavaOpenAI):
    """openai-java on the plain http endpoint: the variant before TLS."""

    name = "java-http"
    tls = False


@cache
def java_version() -> str:
    """``Java 17.0.15`` from ``java -version`` (empty without Java)."""
    java = shutil.which("java")
    if java is None:
        return ""
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    found = re.search(r'version "([^"]+)"', done.stderr or done.stdout)
    return f"Java {found.group(1)}" if found else "Java (unknown version)"


def built_driver() -> tuple[Path | None, str | None]:
    """The driver's jar in the cache (built on first use), or why there is none."""
    return maven_build(HERE, JAR, f"openai-java-{sdk_version()}", JAVA_ENV)
