"""``POST /oauth20/token``: the OAuth token endpoint, where a session token is exchanged.

The ``password`` grant with ``dr_session_token`` and HTTP Basic client credentials is the
exchange (EX-TOKEN-ISSUED): a session-aware access token on a new shopper session. Without
a session token the same grant gives an anonymous token; ``client_credentials`` gives a
confidential client an anonymous token, or an authenticated one for a partner's shopper
named by ``dr_external_reference_id``; ``refresh_token`` rotates a token pair (refresh
profile). Parameters come from the form body and the query string, the body winning.

Refusals are RFC 6749 §5.2 error objects (EX-ERROR-OBJECT): 401 ``invalid_client`` for
client authentication, 400 ``invalid_request`` for missing or unreadable parameters,
``unsupported_grant_type``, ``unauthorized_client`` and ``invalid_grant``.
"""

from __future__ import annotations

import re

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from conformance.reference.client_auth import AuthenticatedClient, authenticate
from conformance.reference.context import (
    ReferenceContext,
    method_not_allowed,
    query_params,
    request_origin,
)
from conformance.reference.errors import OAuthError, oauth_error_response
from conformance.reference.formats import Format, FormatError, negotiate, render, token_headers
from conformance.reference.formats import token_object as render_token_object
from conformance.reference.issuance import ANONYMOUS, IssuedToken, Shopper
from conformance.reference.params import (
    ParameterError,
    Params,
    has_control_character,
    read_form,
)
from conformance.reference.state import StorefrontSession

ALLOWED_METHODS = ("POST",)
SUPPORTED_GRANTS = ("password", "client_credentials", "refresh_token")
# What the forged-session-token fault takes for a session token: the issued shape.
_SESSION_TOKEN_SHAPE = re.compile(r"[0-9A-Fa-f]{32}")


class DeliberateCrash(RuntimeError):
    """Raised only by the crash-on-control-character fault."""


async def token_endpoint(ctx: ReferenceContext, request: Request, *,
                         json_suffix: bool = False) -> Response:
    try:
        return await _answer(ctx, request, json_suffix)
    except OAuthError as error:
        return oauth_error_response(error, ctx.config, token_endpoint=True)


async def _answer(ctx: ReferenceContext, request: Request, json_suffix: bool) -> Response:
    if request.method not in ALLOWED_METHODS:
        raise OAuthError(405, "method_not_allowed", "the token endpoint answers POST only",
                         method_not_allowed(ALLOWED_METHODS))
    try:
        params = await _parameters(ctx, request)
        _crash_if_asked(ctx, params)
        client = authenticate(ctx.config, request.headers.get("authorization"), params)
        rendering = negotiate(params.get("format"), request.headers.get("accept"), None,
                              default=Format.JSON, json_suffix=json_suffix)
        issued = _grant(ctx, request, params, client)
    except ParameterError as exc:
        raise OAuthError(exc.status, "invalid_request", str(exc)) from exc
    except FormatError as exc:
        raise OAuthError(400, "invalid_request", str(exc)) from exc
    body = render_token_object(issued, ctx.config, token_endpoint=True)
    return render(rendering, body, xml_root="token", xml_body=body, config=ctx.config,
                  headers=token_headers(ctx.config))


async def _parameters(ctx: ReferenceContext, request: Request) -> Params:
    query = query_params(request)
    # The body is read (and checked) even when the fault ignores it, so that a malformed
    # body is refused the same way with or without the fault.
    try:
        form = await read_form(request.headers.get("content-type"), request.stream())
    except ClientDisconnect as exc:
        # Nobody reads this answer; it only keeps a vanished client from counting as a crash.
        raise ParameterError("the client went away before the body ended") from exc
    if ctx.config.has_fault("form-body-ignored"):
        return query
    return query.overlaid_by(form)


def _crash_if_asked(ctx: ReferenceContext, params: Params) -> None:
    session_token = params.get("dr_session_token")
    if (ctx.config.has_fault("crash-on-control-character") and session_token is not None
            and has_control_character(session_token)):
        raise DeliberateCrash("fault crash-on-control-character: control character in "
                              "dr_session_token")


def _grant(ctx: ReferenceContext, request: Request, params: Params,
           client: AuthenticatedClient) -> IssuedToken:
    grant_type = _grant_type(ctx, params.get("grant_type"))
    if grant_type == "password":
        return _password_grant(ctx, request, params, client)
    if grant_type == "client_credentials":
        return _client_credentials_grant(ctx, request, params, client)
    return _refresh_grant(ctx, request, params, client)


def _grant_type(ctx: ReferenceContext, grant_type: str | None) -> str:
    if grant_type is None or grant_type == "":
        if ctx.config.has_fault("missing-grant-as-password"):
            return "password"
        raise OAuthError(400, "invalid_request", "grant_type is required")
    if grant_type not in SUPPORTED_GRANTS:
        if ctx.config.has_fault("unknown-grant-as-password"):
            return "password"
        raise OAuthError(400, "unsupported_grant_type",
                         f"grant_type must be one of {', '.join(SUPPORTED_GRANTS)}")
    return grant_type


def _password_grant(ctx: ReferenceContext, request: Request, params: Params,
                    client: AuthenticatedClient) -> IssuedToken:
    if params.get("username") is not None or params.get("password") is not None:
        # The reference keeps no shopper accounts, so no shopper password is ever right.
        raise OAuthError(400, "invalid_grant", "the shopper's user name or password is wrong")
    storefront = _storefront_session(ctx, params, client)
    if storefront is None:
        return ctx.issuer.issue_new_session(client.site, request_origin(request))
    return ctx.issuer.exchange(storefront, client.site, request_origin(request))


def _client_credentials_grant(ctx: ReferenceContext, request: Request, params: Params,
                              client: AuthenticatedClient) -> IssuedToken:
    if not client.confidential:
        raise OAuthError(400, "unauthorized_client",
                         "client_credentials is for confidential clients only")
    shopper = _shopper(params.get("dr_external_reference_id"))
    storefront = _storefront_session(ctx, params, client)
    if storefront is None:
        return ctx.issuer.issue_new_session(client.site, request_origin(request),
                                            shopper=shopper)
    return ctx.issuer.exchange(storefront, client.site, request_origin(request), shopper)


def _shopper(external_reference_id: str | None) -> Shopper:
    if external_reference_id is None:
        return ANONYMOUS
    if not external_reference_id.strip() or has_control_character(external_reference_id):
        raise OAuthError(400, "invalid_request", "dr_external_reference_id is not usable")
    return Shopper(external_reference_id)


def _refresh_grant(ctx: ReferenceContext, request: Request, params: Params,
                   client: AuthenticatedClient) -> IssuedToken:
    refresh_token = params.get("refresh_token")
    if not refresh_token:
        raise OAuthError(400, "invalid_request", "refresh_token is required")
    issued = ctx.issuer.refresh(refresh_token, client.site, request_origin(request))
    if issued is None:
        raise OAuthError(400, "invalid_grant", "the refresh token is not valid")
    return issued


def _storefront_session(ctx: ReferenceContext, params: Params,
                        client: AuthenticatedClient) -> StorefrontSession | None:
    """The storefront session a ``dr_session_token`` names; None when none is sent."""
    session_token = params.get("dr_session_token")
    if session_token is None:
        return None
    storefront = ctx.issuer.storefront_session(session_token)
    if storefront is None and _forgery_accepted(ctx, session_token):
        return ctx.issuer.forged_storefront_session(session_token, client.site)
    if storefront is None:
        raise OAuthError(400, "invalid_grant", "the session token is unknown or expired")
    if storefront.site_id != client.site.site_id:
        raise OAuthError(400, "invalid_grant", "the session token belongs to another site")
    return storefront


def _forgery_accepted(ctx: ReferenceContext, session_token: str) -> bool:
    return (ctx.config.has_fault("forged-session-token-accepted")
            and _SESSION_TOKEN_SHAPE.fullmatch(session_token) is not None)
