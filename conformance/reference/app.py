"""The reference implementation as an ASGI application.

One route per endpoint in scope, each handled by the module named after it:
``session_token`` (the store's site action), ``exchange`` (the OAuth token endpoint),
``shopper_token`` (the legacy Shopper API route) and ``token_information`` (token
information and revocation). The ``.json`` path suffixes the vendor's clients use are
served too. Any other path is a 404 Commerce API error.

HY-NO-SERVER-ERROR says no input may get a 5xx. The handlers answer every malformed input
with a 4xx themselves; the guard here is the last resort that turns an exception nobody
expected into a JSON 500 and counts it in ``unexpected_errors``, which the reference's own
tests check stays at zero.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from conformance.reference.clock import Clock
from conformance.reference.config import ReferenceConfig
from conformance.reference.context import ReferenceContext
from conformance.reference.errors import (
    CommerceError,
    commerce_error_response,
    server_error_response,
)
from conformance.reference.exchange import DeliberateCrash, token_endpoint
from conformance.reference.issuance import TokenIssuer
from conformance.reference.session_token import session_token_endpoint
from conformance.reference.shopper_token import shopper_token_endpoint
from conformance.reference.state import ReferenceState
from conformance.reference.token_information import access_tokens_endpoint

logger = logging.getLogger("conformance.reference")

Handler = Callable[[ReferenceContext, Request], Awaitable[Response]]


class ReferenceApp:
    """The ASGI callable: the Starlette routes behind a last-resort error guard."""

    def __init__(self, config: ReferenceConfig, clock: Clock,
                 state: ReferenceState | None = None) -> None:
        self.config = config
        self.state = state or ReferenceState(clock, config.capacity)
        self.issuer = TokenIssuer(config, self.state)
        self.unexpected_errors = 0
        self.context = ReferenceContext(config, self.issuer)
        self._routes = Starlette(routes=self._route_table())

    def _route_table(self) -> list[Route]:
        def json_suffix(handler: Callable[..., Awaitable[Response]]) -> Handler:
            async def with_suffix(ctx: ReferenceContext, request: Request) -> Response:
                return await handler(ctx, request, json_suffix=True)
            return with_suffix

        table: list[tuple[str, Handler]] = [
            ("/store/{site_id}/SessionToken", session_token_endpoint),
            ("/oauth20/token", token_endpoint),
            ("/oauth20/token/", token_endpoint),
            ("/oauth20/token.json", json_suffix(token_endpoint)),
            ("/v1/shoppers/token", shopper_token_endpoint),
            ("/v1/shoppers/token.json", json_suffix(shopper_token_endpoint)),
            ("/oauth20/access-tokens", access_tokens_endpoint),
            ("/oauth20/access-tokens.json", json_suffix(access_tokens_endpoint)),
            ("/{path:path}", _not_found),
        ]
        # An ASGI endpoint (not a function) gets every method, so that the handler answers
        # 405 itself, with an Allow header and an error body in its endpoint's style.
        return [Route(path, self._guarded(handler)) for path, handler in table]

    def _guarded(self, handler: Handler) -> _Endpoint:
        return _Endpoint(self, handler)

    def count_unexpected(self) -> None:
        self.unexpected_errors += 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # Lifespan and websocket events: the reference has nothing to start or stop.
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._routes(scope, receive, tracking_send)
        except Exception:
            # Starlette has already answered 500 when it re-raises; only count and log.
            self.count_unexpected()
            logger.exception("unexpected error outside the handlers")
            if not started:
                await server_error_response()(scope, receive, send)


class _Endpoint:
    """One route's handler as an ASGI app, with the guard against unexpected errors."""

    def __init__(self, app: ReferenceApp, handler: Handler) -> None:
        self._app = app
        self._handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        method, path = request.method, request.scope.get("path")
        try:
            response = await self._handler(self._app.context, request)
        except DeliberateCrash:
            logger.info("fault crash-on-control-character: answering 500")
            return server_error_response()
        except Exception:
            self._app.count_unexpected()
            logger.exception("unexpected error on %s %s", method, path)
            return server_error_response()
        logger.debug("%s %s -> %d", method, path, response.status_code)
        return response


async def _not_found(ctx: ReferenceContext, request: Request) -> Response:
    return commerce_error_response(CommerceError(404, "not-found", "no resource at this address"))
