"""The Azure-maintained Java SDK, ``com.azure:azure-ai-openai`` 1.0.0-beta.16 on azure-core, run as a small
Java program (``drivers/java_azure/``: ``Driver.java``, its seed samples in ``Samples.java``, and the
h2c check in ``H2c.java``).

``OpenAIClientBuilder`` with an ``AzureKeyCredential`` or a ``TokenCredential`` on the target's https
endpoint, on azure-core's default transport (Netty): its ``KeyCredentialPolicy`` throws "Key credentials
require HTTPS to prevent leaking the key." for any http URL (sdk-behaviour §8). The JVM trusts the mock's CA
through a PKCS12 truststore made with keytool and ``-Djavax.net.ssl.trustStore``, as the README says.
Retries, timeouts and errors are azure-core's (sdk-behaviour §4.3): ``RetryPolicy`` with
``ExponentialBackoff`` (3 retries), ``HttpResponseException`` and its subclasses.

Built once with ``mvn -B -q package`` (one shaded jar, Maven Central into the conformance cache,
``drivers.builds``) under ``java/azure-ai-openai-<version>-<hash of the driver's sources>``; without Java or
Maven, or when the build fails, the driver skips with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..targets import Target
from .builds import java_trust, maven_build, truststore
from .java_openai import JAVA_ENV, java_version
from .process import ProcessDriver

HERE = Path(__file__).resolve().parent / "java_azure"
JAR = "aoai-conformance-java-azure.jar"


def sdk_version(name: str = "azure-ai-openai") -> str:
    """The version pom.xml pins."""
    text = (HERE / "pom.xml").read_text(encoding="utf-8")
    found = re.search(rf"<{re.escape(name)}\.version>([^<]+)</{re.escape(name)}\.version>", text)
    return found.group(1).strip() if found else "unknown"


def built_driver() -> tuple[Path | None, str | None]:
    return maven_build(HERE, JAR, f"azure-ai-openai-{sdk_version()}", JAVA_ENV)


class JavaAzure(ProcessDriver):
    name = "java-azure"
    sdk = "azure-ai-openai-java"
    hidden_env = JAVA_ENV
    tls = True

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.jar: Path | None = None
        self.store: Path | None = None

    def prepare(self) -> str | None:
        self.jar, problem = built_driver()
        if problem is None and self.ca_file() is not None:
            self.store, problem = truststore(Path(str(self.ca_file())))
        return problem

    @property
    def version(self) -> str:
        return sdk_version()

    @property
    def runtime(self) -> str:
        return java_version() or "Java (absent)"

    def command(self, *args: str) -> list[str]:
        assert self.jar is not None, "call unavailable() first"
        return ["java", "-XX:TieredStopAtLevel=1", *java_trust(self.store), "-jar", str(self.jar), *args]
