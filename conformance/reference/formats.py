"""How answers are rendered: JSON, XML or JSONP, and the token object itself.

Format selection follows the vendor's rules: ``format=json`` (or a ``.json`` path suffix)
asks for JSON and ``format=xml`` for XML; otherwise the Accept header decides, and with no
preference the store and Shopper API answer XML while the OAuth API answers JSON. A
``callback`` asks for JSONP: the JSON wrapped in a call of that name, served as JavaScript
(JSONP-WRAPS-JSON, JSONP-CONTENT-TYPE). A callback that is not a plain identifier path is
refused before anything is issued (JSONP-CALLBACK-SAFE), because a JSONP answer runs as a
script in the caller's page and the callback is the one part of it the caller chooses.

Every answer that carries a token is marked ``Cache-Control: no-store`` (HY-NO-STORE).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from xml.sax.saxutils import escape

from starlette.responses import Response

from conformance.reference.config import ReferenceConfig
from conformance.reference.issuance import IssuedToken

CALLBACK_PATTERN = re.compile(
    r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*")
MAX_CALLBACK_LENGTH = 128
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
JAVASCRIPT_TYPE = "application/javascript"


class Format(Enum):
    JSON = "json"
    XML = "xml"
    JSONP = "jsonp"


class FormatError(ValueError):
    """The request asks for a format or a callback the reference will not serve."""


@dataclass(frozen=True)
class Rendering:
    format: Format
    callback: str | None = None
    # Whether the caller said what it wanted (format parameter, suffix or Accept header);
    # the default-format-text fault changes only the answers to callers who did not.
    chosen_by_caller: bool = True


def negotiate(format_param: str | None, accept: str | None, callback: str | None, *,
              default: Format, json_suffix: bool = False,
              check_callback: bool = True) -> Rendering:
    """Pick the rendering of a successful answer, or raise :class:`FormatError`."""
    wanted = _format_parameter(format_param, json_suffix)
    if callback is not None:
        if wanted is Format.XML:
            raise FormatError("a callback can only wrap JSON")
        if check_callback and not is_safe_callback(callback):
            raise FormatError("the callback must be a JavaScript identifier path of at most "
                              f"{MAX_CALLBACK_LENGTH} characters")
        return Rendering(Format.JSONP, callback)
    if wanted is not None:
        return Rendering(wanted)
    preferred = accept_preference(accept or "")
    if preferred is not None:
        return Rendering(preferred)
    return Rendering(default, chosen_by_caller=False)


def is_safe_callback(callback: str) -> bool:
    return (len(callback) <= MAX_CALLBACK_LENGTH
            and CALLBACK_PATTERN.fullmatch(callback) is not None)


def _format_parameter(value: str | None, json_suffix: bool) -> Format | None:
    if json_suffix:
        if value is not None and value.lower() != "json":
            raise FormatError("a .json path answers JSON only")
        return Format.JSON
    if value is None:
        return None
    for candidate in (Format.JSON, Format.XML):
        if value.lower() == candidate.value:
            return candidate
    raise FormatError("format must be json or xml")


def accept_preference(accept: str) -> Format | None:
    """JSON or XML, whichever the Accept header ranks higher (the first listed on a tie)."""
    best: tuple[float, int, Format] | None = None
    for position, media_range in enumerate(accept.split(",")):
        media_type, *parameters = media_range.split(";")
        kind = _media_kind(media_type.strip().lower())
        quality = _quality(parameters)
        if kind is None or quality <= 0:
            continue
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, kind)
    return None if best is None else best[2]


def _media_kind(media_type: str) -> Format | None:
    if media_type == JSON_TYPE or media_type.endswith("+json"):
        return Format.JSON
    if media_type in (XML_TYPE, "text/xml") or media_type.endswith("+xml"):
        return Format.XML
    return None


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0


# --- bodies -----------------------------------------------------------------------------


def token_object(issued: IssuedToken, config: ReferenceConfig, *,
                 token_endpoint: bool = False) -> dict[str, object]:
    """The flat OAuth token object every issuing endpoint answers (EX-TOKEN-FIELDS).

    ``token_endpoint`` marks answers of ``/oauth20/token``, the only ones the
    no-refresh-token fault strips: the one-call token keeps its refresh token so that the
    fault breaks EX-TOKEN-FIELDS and not ST-ONE-CALL-TOKEN as well.
    """
    expires_in: object = issued.expires_in
    if config.has_fault("expires-in-string"):
        expires_in = str(issued.expires_in)
    body: dict[str, object] = {
        "access_token": issued.access_token,
        "token_type": "mac" if config.has_fault("token-type-mac") else "bearer",
        "expires_in": expires_in,
        "refresh_token": issued.refresh_token,
    }
    if token_endpoint and config.has_fault("no-refresh-token"):
        del body["refresh_token"]
    return body


def token_headers(config: ReferenceConfig) -> dict[str, str]:
    """Headers of an answer that carries a token: never to be cached (RFC 6749 §5.1)."""
    if config.has_fault("no-cache-headers"):
        return {}
    return {"Cache-Control": "no-store", "Pragma": "no-cache"}


def to_json(body: object) -> str:
    # ensure_ascii also escapes U+2028 and U+2029, which would end a JSONP script's line.
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True)


def to_xml(root: str, body: object) -> str:
    """An XML document whose element names are the JSON member names."""
    return '<?xml version="1.0" encoding="UTF-8"?>' + _element(root, body)


def _element(name: str, value: object) -> str:
    if isinstance(value, Mapping):
        inner = "".join(_element(str(key), item) for key, item in value.items())
    elif value is None:
        inner = ""
    else:
        inner = escape(str(value))
    return f"<{name}>{inner}</{name}>"


def render(rendering: Rendering, body: Mapping[str, object], *, xml_root: str,
           xml_body: object, config: ReferenceConfig,
           headers: Mapping[str, str] | None = None) -> Response:
    """A 200 answer in the negotiated format.

    ``xml_body`` is what goes inside ``xml_root``: the token object's members, or the bare
    session token string for ``<session_token>``.
    """
    extra = dict(headers or {})
    if rendering.format is Format.XML:
        return Response(to_xml(xml_root, xml_body), media_type=XML_TYPE, headers=extra)
    if rendering.format is Format.JSONP and rendering.callback is not None:
        return _render_jsonp(rendering.callback, to_json(body), config, extra)
    return Response(to_json(body), media_type=JSON_TYPE, headers=extra)


def _render_jsonp(callback: str, payload: str, config: ReferenceConfig,
                  headers: dict[str, str]) -> Response:
    script = f"{callback}({payload});"
    if config.has_fault("jsonp-unwrapped"):
        script = payload
    media_type = JSON_TYPE if config.has_fault("jsonp-as-json") else JAVASCRIPT_TYPE
    # nosniff: the browser must run this only as the script it says it is.
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(script, media_type=media_type, headers=headers)
