"""Reading answers in every format the endpoints speak: JSON, XML and JSONP.

The vendor's pages show the same fields as JSON, as JSON inside a ``token`` wrapper, and as
XML with the JSON member names as elements; these helpers turn each into one plain dict so
the checks judge content, not notation. Everything here is pure.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Any

from conformance.evidence import ObservedResponse

TOKEN_MEMBERS = ("access_token", "token_type", "expires_in", "refresh_token")
JAVASCRIPT_TYPES = frozenset(
    {"application/javascript", "text/javascript", "application/x-javascript",
     "application/ecmascript", "text/ecmascript"}
)
XML_TYPES = frozenset({"application/xml", "text/xml"})

SAFE_CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$")

# A JSONP body: optional comment guard, a callback name, one argument, an optional semicolon.
_JSONP = re.compile(
    r"^\s*(?:/\*\*/\s*)?(?:typeof\s+[\w$.]+\s*===?\s*['\"]function['\"]\s*&&\s*)?"
    r"(?P<name>[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*)\s*"
    r"\((?P<argument>.*)\)\s*;?\s*$",
    re.DOTALL,
)


@dataclass(frozen=True)
class Jsonp:
    callback: str
    payload: Any


def parse_jsonp(body: str) -> Jsonp | None:
    """The call a JSONP body makes, when it is exactly one call with a JSON argument."""
    match = _JSONP.match(body)
    if not match:
        return None
    try:
        payload = json.loads(match.group("argument"))
    except ValueError:
        return None
    return Jsonp(match.group("name"), payload)


def parse_xml(body: str) -> dict[str, Any] | None:
    """An XML body as {root: text} for a leaf root, or the root's children as a dict."""
    try:
        root = ElementTree.fromstring(body.strip())
    except (ElementTree.ParseError, ValueError):
        return None

    children = list(root)
    if not children:
        return {_local(root.tag): (root.text or "").strip()}
    return {_local(root.tag): {_local(child.tag): (child.text or "").strip()
                               for child in children}}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_body(response: ObservedResponse) -> Any:
    """The answer's content as plain data, whatever notation it came in; None if unreadable."""
    body = response.body
    data = _json_or_none(body)
    if data is not None:
        return data
    jsonp = parse_jsonp(body)
    if jsonp is not None:
        return jsonp.payload
    if body.lstrip().startswith("<"):
        return parse_xml(body)
    return None


def _json_or_none(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def token_members(data: Any) -> dict[str, Any] | None:
    """The token object's members, unwrapped from a ``token`` wrapper when there is one."""
    if not isinstance(data, dict):
        return None
    inner = data.get("token")
    if isinstance(inner, dict) and any(member in inner for member in TOKEN_MEMBERS):
        return inner
    if any(member in data for member in TOKEN_MEMBERS):
        return data
    return None


def session_token_of(data: Any) -> str | None:
    """The session token in a site action answer (flat, or under a ``token`` wrapper)."""
    if not isinstance(data, dict):
        return None
    value = data.get("session_token")
    if value is None and isinstance(data.get("token"), dict):
        value = data["token"].get("session_token")
    return value if isinstance(value, str) and value else None


def carries_token(data: Any) -> bool:
    """Whether an answer hands out any token: a refusal must not."""
    members = token_members(data)
    if members and any(members.get(name) for name in ("access_token", "refresh_token")):
        return True
    return session_token_of(data) is not None


def expires_in_seconds(value: Any) -> int | None:
    """expires_in as whole seconds: an integer, or a numeric string (tolerated)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")
