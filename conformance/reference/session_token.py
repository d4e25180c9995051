"""``GET /store/{siteId}/SessionToken``: the store's SessionToken site action.

Without ``apiKey`` it answers a session token standing for a new storefront session
(ST-SESSION-TOKEN); with the site's public API key it answers, in that one call, an
anonymous token object on a new shopper session (ST-ONE-CALL-TOKEN). JSON, XML (the
default, ST-DEFAULT-FORMAT) and JSONP are served. An unknown site (ST-UNKNOWN-SITE) or API
key (ST-INVALID-API-KEY) is refused with a Commerce API error and no token.
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
    Rendering,
    negotiate,
    render,
    token_headers,
    token_object,
)
from conformance.reference.params import ParameterError

ALLOWED_METHODS = ("GET",)


async def session_token_endpoint(ctx: ReferenceContext, request: Request) -> Response:
    try:
        return _answer(ctx, request)
    except CommerceError as error:
        return commerce_error_response(error)


def _answer(ctx: ReferenceContext, request: Request) -> Response:
    if request.method not in ALLOWED_METHODS:
        raise CommerceError(405, "method-not-allowed", "the site action answers GET only",
                            method_not_allowed(ALLOWED_METHODS))
    try:
        params = query_params(request)
        api_key = params.get("apiKey")
        rendering = negotiate(
            params.get("format"), request.headers.get("accept"), params.get("callback"),
            default=Format.XML,
            check_callback=not ctx.config.has_fault("callback-reflected"))
    except (ParameterError, FormatError) as exc:
        raise CommerceError(400, "invalid-parameter", str(exc)) from exc

    site = _site(ctx, str(request.path_params.get("site_id", "")))
    if api_key is None or _ignores_api_key(ctx, site, api_key):
        return _session_token_answer(ctx, site, rendering)
    if not _known_public_key(ctx, site, api_key):
        raise CommerceError(401, "invalid-api-key", "the API key is not a public key of this site")
    issued = ctx.issuer.issue_new_session(site, request_origin(request))
    body = token_object(issued, ctx.config)
    if _plain_text_wanted(ctx, rendering):
        return _plain_text("&".join(f"{name}={value}" for name, value in body.items()), ctx)
    return render(rendering, body, xml_root="token", xml_body=body, config=ctx.config,
                  headers=token_headers(ctx.config))


def _site(ctx: ReferenceContext, site_id: str) -> Site:
    site = ctx.config.site(site_id)
    if site is not None:
        return site
    if ctx.config.has_fault("any-site"):
        return ctx.config.default_site
    raise CommerceError(404, "not-found", "no site has this site ID")


def _known_public_key(ctx: ReferenceContext, site: Site, api_key: str) -> bool:
    if ctx.config.has_fault("any-api-key"):
        return True
    key = ctx.config.public_key(api_key)
    return key is not None and key.site_id == site.site_id


def _ignores_api_key(ctx: ReferenceContext, site: Site, api_key: str) -> bool:
    # The api-key-ignored fault drops the one-call token but still refuses unknown keys,
    # so that it breaks ST-ONE-CALL-TOKEN and nothing else.
    return ctx.config.has_fault("api-key-ignored") and _known_public_key(ctx, site, api_key)


def _session_token_answer(ctx: ReferenceContext, site: Site, rendering: Rendering) -> Response:
    session_token = ctx.issuer.issue_session_token(site)
    if _plain_text_wanted(ctx, rendering):
        return _plain_text(session_token, ctx)
    name = "sessionToken" if ctx.config.has_fault("session-token-renamed") else "session_token"
    return render(rendering, {name: session_token}, xml_root="session_token",
                  xml_body=session_token, config=ctx.config, headers=token_headers(ctx.config))


def _plain_text_wanted(ctx: ReferenceContext, rendering: Rendering) -> bool:
    return ctx.config.has_fault("default-format-text") and not rendering.chosen_by_caller


def _plain_text(text: str, ctx: ReferenceContext) -> Response:
    return Response(text, media_type="text/plain", headers=token_headers(ctx.config))

