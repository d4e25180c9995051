"""Refusals in the two error styles of the vendor's APIs.

The OAuth endpoints (``/oauth20/token``, ``/oauth20/access-tokens``) answer RFC 6749 §5.2
error objects, ``{"error": ..., "error_description": ...}`` (EX-ERROR-OBJECT). The store's
site action and the Shopper API route answer Commerce API errors,
``{"errors": {"error": [{"relation": ..., "code": ..., "description": ...}]}}``. Every
error is JSON; descriptions never repeat the request's input, so an error can never carry
a reflected script or a secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.responses import Response

from conformance.reference.config import ReferenceConfig

JSON_MEDIA_TYPE = "application/json"
ERROR_RELATION = "https://developers.digitalriver.com/v1/shoppers/ShoppersResource"
BASIC_REALM = 'Basic realm="reference", charset="UTF-8"'


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.headers = dict(headers or {})


class CommerceError(Exception):
    def __init__(self, status: int, code: str, description: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description
        self.headers = dict(headers or {})


def invalid_client(description: str) -> OAuthError:
    # RFC 6749 §5.2: a 401 for client authentication names the scheme to use.
    return OAuthError(401, "invalid_client", description, {"WWW-Authenticate": BASIC_REALM})


def invalid_token() -> OAuthError:
    return OAuthError(401, "invalid_token", "Invalid Token",
                      {"WWW-Authenticate": 'Bearer realm="reference", error="invalid_token"'})


def oauth_error_response(error: OAuthError, config: ReferenceConfig, *,
                         token_endpoint: bool) -> Response:
    body: dict[str, str] = {"error": error.error, "error_description": error.description}
    if (token_endpoint and config.has_fault("error-without-error-member")
            and error.error != "invalid_client"):
        # invalid_client refusals keep their error member: EX-BAD-SECRET and
        # EX-UNKNOWN-CLIENT judge that code, and the fault is to break EX-ERROR-OBJECT only.
        body = {"message": error.description}
    media_type = JSON_MEDIA_TYPE
    if config.has_fault("error-text-plain"):
        media_type = "text/plain"
    return _error_response(error.status, body, media_type, error.headers)


def commerce_error_response(error: CommerceError) -> Response:
    body = {"errors": {"error": [{
        "relation": ERROR_RELATION,
        "code": error.code,
        "description": error.description,
    }]}}
    return _error_response(error.status, body, JSON_MEDIA_TYPE, error.headers)


def server_error_response() -> Response:
    """The last resort for an exception no handler expected (vendor code system-error)."""
    body = {"error": "server_error", "error_description": "unexpected system error"}
    return _error_response(500, body, JSON_MEDIA_TYPE, {})


def _error_response(status: int, body: object, media_type: str,
                    headers: Mapping[str, str]) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")), status_code=status, media_type=media_type,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache", **headers})
