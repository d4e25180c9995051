"""``GET /v1/shoppers/token``: the legacy Shopper API route to a token.

A public ``apiKey`` is required (SH-INVALID-API-KEY); the answer is a token object on a new
shopper session (SH-TOKEN-ISSUED), session-aware when a session token is given. The vendor's
pages name that parameter ``session_token`` in one place and ``sessionToken`` in another,
so both are read and must agree (SH-NEW-SESSION). Formats are those of the site action.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from conformance.reference.config import Site
from conformance.reference.context import (
    ReferenceContext,
    method_not_allowed,
    query_params,
    request_origin,
)
from conformance.reference.errors import CommerceError, commerce_error_response
from conformance.reference.formats import (
    Format,
    FormatError,
    negotiate,
    render,
    token_headers,
    token_object,
)
from conformance.reference.params import ParameterError, first_present
from conformance.reference.state import StorefrontSession

ALLOWED_METHODS = ("GET",)


async def shopper_token_endpoint(ctx: ReferenceContext, request: Request, *,
                                 json_suffix: bool = False) -> Response:
    try:
        return _answer(ctx, request, json_suffix)
    except CommerceError as error:
        return commerce_error_response(error)


def _answer(ctx: ReferenceContext, request: Request, json_suffix: bool) -> Response:
    if ctx.config.has_fault("shopper-token-missing"):
        raise CommerceError(404, "not-found", "no resource at this address")
    if request.method not in ALLOWED_METHODS:
        raise CommerceError(405, "method-not-allowed", "the shopper token route answers GET only",
                            method_not_allowed(ALLOWED_METHODS))
    try:
        params = query_params(request)
        rendering = negotiate(params.get("format"), request.headers.get("accept"),
                              params.get("callback"), default=Format.XML,
                              json_suffix=json_suffix)
        api_key = params.get("apiKey")
        session_token = first_present(params, ("session_token", "sessionToken"))
    except (ParameterError, FormatError) as exc:
        raise CommerceError(400, "invalid-parameter", str(exc)) from exc

    site = _site_of_key(ctx, api_key)
    storefront = _storefront_session(ctx, session_token, site)
    issued = ctx.issuer.shopper_token(site, request_origin(request), storefront)
    body = token_object(issued, ctx.config)
    return render(rendering, body, xml_root="token", xml_body=body, config=ctx.config,
                  headers=token_headers(ctx.config))


def _site_of_key(ctx: ReferenceContext, api_key: str | None) -> Site:
    if not api_key:
        raise CommerceError(400, "missing-parameter", "apiKey is required")
    key = ctx.config.public_key(api_key)
    if key is not None:
        return ctx.config.site_of(key.site_id)
    if ctx.config.has_fault("shopper-any-api-key"):
        return ctx.config.default_site
    raise CommerceError(401, "invalid-api-key", "the API key is not a public key")


def _storefront_session(ctx: ReferenceContext, session_token: str | None,
                        site: Site) -> StorefrontSession | None:
    if session_token is None:
        return None
    storefront = ctx.issuer.storefront_session(session_token)
    if storefront is None or storefront.site_id != site.site_id:
        raise CommerceError(400, "invalid-session-token",
                            "the session token is unknown, expired or of another site")
    return storefront



