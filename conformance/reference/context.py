"""What every endpoint handler of the reference needs: settings, the issuer, the request.

Handlers receive a :class:`ReferenceContext` instead of reaching for globals, so that
several references (one per fault, say) run side by side in one process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.requests import Request

from conformance.reference.config import ReferenceConfig
from conformance.reference.issuance import Origin, TokenIssuer
from conformance.reference.params import Params, parse_urlencoded

_HOST_NAME = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]")


@dataclass(frozen=True)
class ReferenceContext:
    config: ReferenceConfig
    issuer: TokenIssuer


def query_params(request: Request) -> Params:
    """The query string, parsed strictly (see ``params``); raises ParameterError."""
    raw = request.scope.get("query_string", b"")
    return parse_urlencoded(raw if isinstance(raw, bytes) else b"")


def request_origin(request: Request) -> Origin:
    """Client address and host name as token information reports them."""
    client_ip = request.client.host if request.client else "0.0.0.0"
    return Origin(client_ip=client_ip, domain=_host_name(request.headers.get("host", "")))


def _host_name(host: str) -> str:
    # The Host header is the client's to choose; only a plain host name is repeated back.
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name.startswith("[") and "]" in name:
        name = name[: name.index("]") + 1]
    return name if _HOST_NAME.fullmatch(name) else "localhost"


def method_not_allowed(allowed: tuple[str, ...]) -> dict[str, str]:
    """The Allow header a 405 must carry (RFC 9110 §15.5.6)."""
    return {"Allow": ", ".join(allowed)}

