"""``GET`` and ``DELETE /oauth20/access-tokens``: token information and revocation.

GET tells what an access token is bound to: its shopper session (``sessionId``), whether
the shopper is authenticated, and ``expiresIn``, the seconds the session has left
(TI-FIELDS, TI-ANONYMOUS, TI-EXPIRES-BOUNDED, TI-EXPIRES-FALLS). DELETE answers the same
body and revokes that one token (TI-REVOKE). The token comes as ``?token=`` or as an
``Authorization: Bearer`` header (TI-BEARER). A token that is unknown, revoked or expired,
or no token at all, gets 401 ``invalid_token`` (TI-UNKNOWN-TOKEN).
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from conformance.reference.context import ReferenceContext, method_not_allowed, query_params
from conformance.reference.errors import OAuthError, invalid_token, oauth_error_response
from conformance.reference.formats import Format, FormatError, Rendering, negotiate, render
from conformance.reference.issuance import TokenInformation
from conformance.reference.params import ParameterError, Params, authorization_scheme
from conformance.reference.state import MICROS

ALLOWED_METHODS = ("GET", "DELETE")
LOCALE = "en_US"
CURRENCY = "USD"
# What info-locale-number reports instead of "en_US" (the Windows LCID of en-US).
LOCALE_AS_NUMBER = 1033
INFLATION = 120
# The vendor never showed token information as XML; the root name is this reference's own.
XML_ROOT = "tokenInformation"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def access_tokens_endpoint(ctx: ReferenceContext, request: Request, *,
                                 json_suffix: bool = False) -> Response:
    try:
        return _answer(ctx, request, json_suffix)
    except OAuthError as error:
        return oauth_error_response(error, ctx.config, token_endpoint=False)


def _answer(ctx: ReferenceContext, request: Request, json_suffix: bool) -> Response:
    if request.method not in ALLOWED_METHODS:
        raise OAuthError(405, "method_not_allowed",
                         "token information answers GET and DELETE only",
                         method_not_allowed(ALLOWED_METHODS))
    try:
        params = query_params(request)
        token = _presented_token(ctx, params.get("token"), request.headers.get("authorization"))
    except ParameterError as exc:
        raise OAuthError(400, "invalid_request", str(exc)) from exc

    # The token is judged before anything else about the request, so that a dead token
    # gets its 401 however it is presented (TI-REVOKE), whatever else is wrong.
    info = ctx.issuer.information(token) if token is not None else None
    if info is None and not _unknown_token_answered(ctx, request, token):
        raise invalid_token()
    rendering = _rendering(request, params, json_suffix)
    if info is None:
        return _render(rendering, _empty_session_body(), ctx)
    if request.method == "DELETE":
        info = ctx.issuer.revoke(info.access.token) or info
    return _render(rendering, information_body(info, ctx), ctx)


def _unknown_token_answered(ctx: ReferenceContext, request: Request, token: str | None) -> bool:
    """Whether the info-unknown-token-ok fault answers for this token."""
    return (token is not None and request.method == "GET"
            and ctx.config.has_fault("info-unknown-token-ok")
            and not ctx.issuer.state.knows_access_token(token))


def _rendering(request: Request, params: Params, json_suffix: bool) -> Rendering:
    try:
        return negotiate(params.get("format"), request.headers.get("accept"), None,
                         default=Format.JSON, json_suffix=json_suffix)
    except FormatError as exc:
        raise OAuthError(400, "invalid_request", str(exc)) from exc


def _presented_token(ctx: ReferenceContext, from_query: str | None,
                     authorization: str | None) -> str | None:
    from_header = _bearer_token(authorization)
    if ctx.config.has_fault("bearer-ignored"):
        from_header = None
    # RFC 6750 §2: one way of presenting the token per request.
    if from_query is not None and from_header is not None and from_query != from_header:
        raise ParameterError("two different tokens are presented")
    token = from_query if from_query is not None else from_header
    return token or None


def _bearer_token(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, token = authorization_scheme(authorization)
    # Other schemes (a Basic API key, as one vendor page shows) do not present a token.
    return token if scheme == "bearer" and token else None


def information_body(info: TokenInformation, ctx: ReferenceContext) -> dict[str, object]:
    session = info.session
    body: dict[str, object] = {
        "sessionId": session.session_id,
        "userId": session.user_id,
        "externalReferenceId": session.external_reference_id,
        "authenticated": _authenticated(info, ctx),
        "locale": LOCALE_AS_NUMBER if ctx.config.has_fault("info-locale-number") else LOCALE,
        "currency": CURRENCY,
        "cartId": None,
        "clientIpAddress": session.client_ip,
        "domain": session.domain,
        "expiresIn": _expires_in(info, ctx),
        "themeId": None,
        "sessionTag": session.session_tag,
        "createdOn": iso_time(session.created_us),
        "lastAccessed": iso_time(session.last_accessed_us),
    }
    if ctx.config.has_fault("info-no-session-id"):
        del body["sessionId"]
    return body


def _authenticated(info: TokenInformation, ctx: ReferenceContext) -> str:
    # The vendor reports a string, not a JSON boolean.
    if info.session.authenticated or ctx.config.has_fault("anonymous-authenticated"):
        return "true"
    return "false"


def _expires_in(info: TokenInformation, ctx: ReferenceContext) -> int:
    if ctx.config.has_fault("info-expires-frozen"):
        return info.access.expires_in
    if ctx.config.has_fault("info-expires-inflated"):
        return info.expires_in + INFLATION
    return info.expires_in


def _empty_session_body() -> dict[str, object]:
    """What the info-unknown-token-ok fault answers for a token never issued."""
    return {"sessionId": None, "userId": None, "externalReferenceId": None,
            "authenticated": "false", "locale": LOCALE, "currency": CURRENCY, "cartId": None,
            "clientIpAddress": None, "domain": None, "expiresIn": 0, "themeId": None,
            "sessionTag": None, "createdOn": None, "lastAccessed": None}


def iso_time(micros: int) -> str:
    """ISO 8601 in UTC with milliseconds, as the vendor writes it."""
    moment = datetime.fromtimestamp(micros / MICROS, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _render(rendering: Rendering, body: dict[str, object], ctx: ReferenceContext) -> Response:
    return render(rendering, body, xml_root=XML_ROOT, xml_body=body, config=ctx.config,
                  headers=NO_STORE)
