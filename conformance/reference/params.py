"""Reading request parameters and client credentials, strictly and without surprises.

The contract says no input, however malformed, may get a 5xx (HY-NO-SERVER-ERROR). The
reference therefore parses query strings, form bodies and Basic credentials itself instead
of leaning on lenient library parsers: a broken percent escape, bytes that are not UTF-8, a
body that is not a form, a body too large or a parameter sent twice each become a
:class:`ParameterError`, which every endpoint answers with a 4xx in its own error style.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

# A token request is a handful of short parameters; 64 KiB leaves room for anything sane.
MAX_BODY_BYTES = 64 * 1024
# Larger bodies are still read to the end (up to this much) so that the client, which is
# usually still sending, reads our 413 instead of a reset connection.
MAX_DRAIN_BYTES = 8 * 1024 * 1024

_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_UTF8_CHARSETS = {"utf-8", "utf8", "us-ascii"}


class ParameterError(ValueError):
    """The request's parameters cannot be read; ``status`` is the 4xx to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Params:
    """Decoded name/value pairs in the order they were sent."""

    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        """The one value of ``name``, None when absent; sending it twice is an error.

        RFC 6749 §3.2 forbids repeating a parameter, and taking the first or the last of
        two would let a request smuggle a value past a check that read the other one.
        """
        values = [value for key, value in self.pairs if key == name]
        if len(values) > 1:
            raise ParameterError(f"the parameter {name} is given more than once")
        return values[0] if values else None

    def names(self) -> frozenset[str]:
        return frozenset(key for key, _ in self.pairs)

    def overlaid_by(self, other: Params) -> Params:
        """These parameters with every name that ``other`` carries taken from ``other``."""
        replaced = other.names()
        kept = tuple((key, value) for key, value in self.pairs if key not in replaced)
        return Params(kept + other.pairs)


def parse_urlencoded(raw: bytes) -> Params:
    """Parse ``a=1&b=2`` bytes (a query string or a form body)."""
    pairs: list[tuple[str, str]] = []
    for piece in raw.split(b"&"):
        if not piece:
            continue
        name, _, value = piece.partition(b"=")
        pairs.append((_decode(name), _decode(value)))
    return Params(tuple(pairs))


def _decode(component: bytes) -> str:
    if _BAD_ESCAPE.search(component):
        raise ParameterError("a parameter has a broken percent escape")
    try:
        return unquote_to_bytes(component.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError("a parameter is not valid UTF-8") from exc


async def read_form(content_type: str | None, chunks: AsyncIterator[bytes]) -> Params:
    """The form parameters of a request body; an empty body has none."""
    body = await _read_limited(chunks)
    if not body:
        return Params()
    media_type, charset = _media_type(content_type or "")
    if media_type != FORM_MEDIA_TYPE:
        raise ParameterError(f"the body must be {FORM_MEDIA_TYPE}", status=415)
    if charset is not None and charset not in _UTF8_CHARSETS:
        raise ParameterError("the body must be encoded in UTF-8", status=415)
    return parse_urlencoded(body)


async def _read_limited(chunks: AsyncIterator[bytes]) -> bytes:
    kept = bytearray()
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen <= MAX_BODY_BYTES:
            kept += chunk
        elif seen > MAX_DRAIN_BYTES:
            break
    if seen > MAX_BODY_BYTES:
        raise ParameterError(f"the body is larger than {MAX_BODY_BYTES} bytes", status=413)
    return bytes(kept)


def _media_type(content_type: str) -> tuple[str, str | None]:
    media_type, *parameters = content_type.split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.strip().lower(), charset


@dataclass(frozen=True)
class BasicCredentials:
    user: str
    password: str


class CredentialsError(ValueError):
    """An Authorization header that does not carry readable credentials."""


def authorization_scheme(header: str) -> tuple[str, str]:
    """The lower-cased scheme and the rest of an Authorization header."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), rest.strip()


def parse_basic(header: str) -> BasicCredentials:
    """Decode ``Basic base64(user:password)`` (RFC 7617)."""
    scheme, encoded = authorization_scheme(header)
    if scheme != "basic":
        raise CredentialsError("client credentials must be sent with HTTP Basic")
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except ValueError as exc:
        # binascii.Error for bad base64, UnicodeDecodeError for bytes that are not UTF-8,
        # and a plain ValueError for header text that is not even ASCII.
        raise CredentialsError("the Basic credentials are not valid base64 UTF-8") from exc
    user, colon, password = decoded.partition(":")
    if not colon or not user:
        raise CredentialsError("the Basic credentials name no client")
    return BasicCredentials(user, password)


def has_control_character(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)


def first_present(params: Params, names: Iterable[str]) -> str | None:
    """The value sent under any of several names for one parameter; they must agree."""
    values = {value for value in (params.get(name) for name in names) if value is not None}
    if len(values) > 1:
        raise ParameterError("the same parameter is given with different values")
    return values.pop() if values else None
