"""Authentication stage: ``api-key`` or ``Authorization: Bearer`` (azure-wire §2).

* Header names are case-insensitive (the Go client sends ``Api-Key``, recording 01).
* A missing key is treated like an invalid key: recording 06's 401 body (azure-wire §2.1 mock rule).
* Entra Bearer tokens are accepted on both surfaces; the resource key sent as Bearer only on
  ``/openai/v1`` (the plain OpenAI client sends it that way, azure-wire §2). On the classic
  surface a key sent as Bearer gets the token-style 401 (azure-wire §2, §2.1).
"""

from __future__ import annotations

from .call import Call
from .config import Settings
from .errors import invalid_key, invalid_token


def authenticate(call: Call, settings: Settings) -> None:
    """Raise the Azure 401 for this request's credentials, or return when they are accepted."""
    key = call.headers.get("api-key")
    if key is not None:
        if not key or (settings.keys and key not in settings.keys):
            raise invalid_key()
        return
    token = bearer_token(call.headers.get("authorization", ""))
    if token is None:
        raise invalid_key()
    if not token_accepted(token, call.surface, settings):
        raise invalid_token()


def bearer_token(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def token_accepted(token: str, surface: str | None, settings: Settings) -> bool:
    if not token:
        return False
    if token in settings.keys:
        return surface == "v1"
    if settings.tokens:
        return token in settings.tokens
    if settings.keys:
        return looks_like_jwt(token)
    return True


def looks_like_jwt(token: str) -> bool:
    """Entra access tokens are JWTs: three dot-separated base64url parts starting with ``eyJ``."""
    return token.startswith("eyJ") and token.count(".") == 2
