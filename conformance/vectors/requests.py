"""Vectors on what the client sends: auth headers, Entra tokens, the SDK's own headers, the
environment variables it reads, and the v1 endpoint."""

from __future__ import annotations

from ..expect import Expect, Rule, Vector
from .sdks import ENTRA, NODE_TIMEOUT_HEADER, V1, go, java, stainless

REQUESTS: tuple[Vector, ...] = (
    Vector(
        id="auth-header",
        behaviour="key auth: the header the client sends (raw: Go's 'Api-Key' spelling)",
        source="sdk-behaviour §5 vector 14, §2 key auth header",
        rules=(
            Rule("http", Expect(ok=True, attempts=1, auth="api-key")),
            *stainless(Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21")),
            go(
                Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21"),
                note="azure.WithAPIKey sends 'Api-Key' (§2 key auth header)",
            ),
            java(
                Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21"),
                note="AzureApiKeyCredential sends api-key (§3.4)",
            ),
        ),
    ),
    Vector(
        id="entra-token",
        behaviour="Entra ID token (azure_ad_token / azureADTokenProvider) on the classic surface",
        source="sdk-behaviour §2 Entra auth",
        auth="token",
        not_for={"http": "raw HTTP sends what it is told; the SDK rows show what each client sends"},
        rules=(
            *stainless(ENTRA),
            go(ENTRA, note="azure.WithTokenCredential: azcore BearerTokenPolicy (§3.3)"),
            java(ENTRA, note="BearerTokenCredential: Authorization: Bearer (§3.4)"),
        ),
    ),
    Vector(
        id="client-headers",
        behaviour="headers a default client adds: timeout, User-Agent, no idempotency key",
        source="sdk-behaviour §2 timeout header sent; §3.1 Headers; §3.2 Headers",
        not_for={"http": "raw HTTP adds nothing"},
        rules=(
            Rule(
                "openai-python",
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-read-timeout", r"600(\.0)?"),
                        ("x-stainless-timeout", None),
                        ("user-agent", r"(Async)?AzureOpenAI/Python \S+"),
                        ("idempotency-key", None),
                    ),
                ),
            ),
            Rule(
                "openai-node",
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", "600"),
                        ("x-stainless-read-timeout", None),
                        ("user-agent", r"AzureOpenAI/JS \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                observed=Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", None),
                        ("x-stainless-read-timeout", None),
                        ("user-agent", r"AzureOpenAI/JS \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                note=NODE_TIMEOUT_HEADER,
            ),
            go(
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", None),
                        ("x-stainless-read-timeout", None),
                        ("user-agent", r"OpenAI/Go \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                note="X-Stainless-Timeout only with a RequestTimeout (§2, §3.3)",
            ),
            java(
                Expect(
                    ok=True,
                    attempts=1,
                    headers=(
                        ("x-stainless-timeout", "600"),
                        ("x-stainless-read-timeout", "600"),
                        ("user-agent", r"\S+/Java \S+"),
                        ("idempotency-key", None),
                    ),
                ),
                note="the OkHttp adapter adds both timeout headers in seconds; default 10 min (§3.4)",
            ),
        ),
    ),
    Vector(
        id="environment",
        behaviour="client built from AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION",
        source="sdk-behaviour §5 vector 15",
        auth="env",
        not_for={
            "http": "raw HTTP has no environment configuration",
            "openai-go": "openai-go's azure package reads no environment variables (§3.3, §5 vector 15)",
            "openai-java": "openai-java's fromEnv() reads AZURE_OPENAI_KEY and OPENAI_BASE_URL, not these "
            "(§3.4, §5 vector 15)",
        },
        rules=stainless(Expect(ok=True, attempts=1, auth="api-key", api_version="2024-10-21")),
    ),
    Vector(
        id="v1-endpoint",
        behaviour="plain OpenAI client on {endpoint}/openai/v1/",
        source="sdk-behaviour §5 vector 17",
        surface="v1",
        rules=(
            Rule(
                "http",
                Expect(
                    ok=True,
                    attempts=1,
                    auth="authorization",
                    api_version="",
                    path="/openai/v1/chat/completions",
                ),
            ),
            *stainless(V1),
            go(V1),
            java(V1),
        ),
    ),
)
