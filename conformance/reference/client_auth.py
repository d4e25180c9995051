"""Who is asking the OAuth token endpoint: client authentication.

Confidential clients authenticate with HTTP Basic ``client_id:secret`` (RFC 6749 §2.3.1,
the vendor's documented way). A public API key may stand in as a public client, either as
the Basic user name with an empty password or as a ``client_id`` parameter, as older vendor
clients send it; a public key never comes with a secret. Anything else is refused with 401
``invalid_client`` (EX-BAD-SECRET, EX-UNKNOWN-CLIENT).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from conformance.reference.config import ReferenceConfig, Site
from conformance.reference.errors import invalid_client
from conformance.reference.params import CredentialsError, Params, parse_basic


@dataclass(frozen=True)
class AuthenticatedClient:
    client_id: str
    site: Site
    confidential: bool


def authenticate(config: ReferenceConfig, authorization: str | None,
                 params: Params) -> AuthenticatedClient:
    """The client making the request; raises ``OAuthError`` (401 invalid_client)."""
    client_id, secret = _presented_credentials(authorization, params)
    key = config.public_key(client_id)
    if key is not None:
        if secret:
            raise invalid_client("a public API key is used without a secret")
        return AuthenticatedClient(client_id, config.site_of(key.site_id), confidential=False)

    client = config.client(client_id)
    if client is None:
        if config.has_fault("any-client"):
            first = config.clients[0]
            return AuthenticatedClient(first.client_id, config.site_of(first.site_id), True)
        raise invalid_client("Request Contains Invalid Client ID")
    if not (_same_secret(secret, client.secret) or config.has_fault("secret-ignored")):
        raise invalid_client("the client secret is wrong")
    return AuthenticatedClient(client.client_id, config.site_of(client.site_id), True)


def _presented_credentials(authorization: str | None, params: Params) -> tuple[str, str]:
    param_id = params.get("client_id")
    param_secret = params.get("client_secret")
    if authorization is not None:
        try:
            basic = parse_basic(authorization)
        except CredentialsError as exc:
            raise invalid_client(str(exc)) from exc
        # RFC 6749 §2.3: one authentication method per request. A client_id parameter
        # naming the same client is harmless; a different one is a contradiction.
        if param_secret is not None or param_id not in (None, basic.user):
            raise invalid_client("credentials are given both in the header and the body")
        return basic.user, basic.password
    if not param_id:
        raise invalid_client("client authentication is required")
    return param_id, param_secret or ""


def _same_secret(given: str, expected: str) -> bool:
    # Constant time, so that response timing tells nothing about the secret.
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))

