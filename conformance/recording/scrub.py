"""Pseudonyms for the secrets in a recording, keeping linkage and shape.

A cassette must never hold an API key, a client secret, a session token, an access token or
a refresh token, yet its replay must still show that the token issued in one answer is the
one presented in the next, and the suite's token checks (uniqueness, shapes, entropy) must
still judge something that looks like what the target issued. So every secret becomes a
pseudonym that:

- is the same every time the same value is seen in one recording (linkage);
- is different for different values (a bijection, so uniqueness checks keep their verdict);
- keeps the value's length, and each character keeps its class (digit, ``a-f``, ``g-z``,
  ``A-F``, ``G-Z``; anything else is kept as it is), so upper-case hex stays upper-case hex.

Each character is mapped by a keyed permutation of its class chosen by its position. Two
tokens that share a prefix or a suffix still share one, positions that never vary still
never vary, and two tokens differ in exactly the positions where the real ones differ: the
hygiene checks' estimates of how many positions vary come out the same on replay as they
did live. The key is random per recording and never written anywhere, so a pseudonym says
nothing about its value. Issued tokens share one permutation family, as they share a
structure; each configured credential (API key, client ID, client secret) gets its own, so
knowing one public value reveals nothing about another.

This module is pure text handling; ``cassettes`` applies it to what vcrpy records.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

# Substring replacement of very short values would rewrite ordinary text; no real
# credential or token is that short. Shorter values are still replaced where they stand
# whole (a Basic credential, a token field).
MIN_SUBSTRING_LENGTH = 4

CHARACTER_CLASSES = (
    "0123456789",
    "abcdef",
    "ghijklmnopqrstuvwxyz",
    "ABCDEF",
    "GHIJKLMNOPQRSTUVWXYZ",
)
_CLASS_OF = {char: index for index, chars in enumerate(CHARACTER_CLASSES) for char in chars}

TOKEN_KINDS = frozenset({"session-token", "access-token", "refresh-token", "token", "cookie"})

# Members of an answer whose string value is a secret, by kind. Other members ending in
# "token" are secrets too (kind "token"), token_type excepted.
SECRET_MEMBERS = {
    "session_token": "session-token",
    "dr_session_token": "session-token",
    "sessiontoken": "session-token",
    "access_token": "access-token",
    "accesstoken": "access-token",
    "refresh_token": "refresh-token",
    "refreshtoken": "refresh-token",
    "client_secret": "client-secret",
    "api_key": "api-key",
    "apikey": "api-key",
    "password": "password",
}
NOT_SECRET_MEMBERS = frozenset({"token_type", "tokentype"})

# A cookie value shorter than this is a preference (locale, currency), not a session.
MIN_COOKIE_LENGTH = 16


class ScrubError(ValueError):
    """A value cannot be pseudonymised safely; the recording must stop rather than leak."""


def character_class(char: str) -> int | None:
    """Index of the class a character belongs to, or None for characters kept as they are."""
    return _CLASS_OF.get(char)


def same_shape(value: str, pseudonym: str) -> bool:
    """Same length, and every character in the same class (or the same character)."""
    if len(value) != len(pseudonym):
        return False
    for real, fake in zip(value, pseudonym, strict=True):
        kind = character_class(real)
        if kind is None and real != fake:
            return False
        if kind is not None and character_class(fake) != kind:
            return False
    return True


def family_of(kind: str) -> str:
    """Issued tokens share one permutation family; each credential kind has its own."""
    return "token" if kind in TOKEN_KINDS else kind


@dataclass(frozen=True)
class Replacement:
    """One way a secret is written (plain, URL-encoded, JSON-escaped) and its pseudonym."""

    written: str
    pseudonym: str


class Pseudonyms:
    """The value-to-pseudonym table of one recording."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)
        self._by_value: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        self._taken: set[str] = set()
        self._permutations: dict[tuple[str, int, int], dict[str, str]] = {}
        self._pattern: re.Pattern[str] | None = None
        self._replacements: dict[str, str] = {}

    def __contains__(self, value: object) -> bool:
        return value in self._by_value

    def __len__(self) -> int:
        return len(self._by_value)

    def kinds(self) -> dict[str, int]:
        """How many values of each kind were pseudonymised (counts only, never values)."""
        counts: dict[str, int] = {}
        for kind in self._kinds.values():
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    def values(self) -> list[str]:
        """The real values known; for the recorder's own leak checks, never for output."""
        return list(self._by_value)

    def learn(self, value: str, kind: str) -> str:
        """The pseudonym of a value, made on first sight."""
        known = self._by_value.get(value)
        if known is not None:
            return known
        if value in self._taken:
            # The value is itself a pseudonym already written: leave it as it is.
            return value
        pseudonym = self._derive(value, family_of(kind))
        self._by_value[value] = pseudonym
        self._kinds[value] = kind
        self._taken.add(pseudonym)
        self._pattern = None
        return pseudonym

    def pseudonym(self, value: str) -> str | None:
        return self._by_value.get(value)

    def _derive(self, value: str, family: str) -> str:
        for attempt in range(8):
            tweak = family if attempt == 0 else f"{family}#{attempt}"
            candidate = "".join(self._map(char, position, tweak)
                                for position, char in enumerate(value))
            if candidate != value and candidate not in self._taken \
                    and candidate not in self._by_value:
                return candidate
        raise ScrubError(f"a {len(value)}-character {family} value has no letters or digits "
                         "to disguise")

    def _map(self, char: str, position: int, family: str) -> str:
        kind = character_class(char)
        if kind is None:
            return char
        table = self._permutations.get((family, position, kind))
        if table is None:
            table = self._permutation(family, position, kind)
            self._permutations[(family, position, kind)] = table
        return table[char]

    def _permutation(self, family: str, position: int, kind: int) -> dict[str, str]:
        letters = list(CHARACTER_CLASSES[kind])
        # Fisher-Yates driven by the keyed hash: the permutation is a secret of this
        # recording, the same for every value it is applied to.
        for index in range(len(letters) - 1, 0, -1):
            label = f"{family}|{position}|{kind}|{index}".encode()
            draw = int.from_bytes(hmac.new(self._key, label, hashlib.sha256).digest(), "big")
            other = draw % (index + 1)
            letters[index], letters[other] = letters[other], letters[index]
        return dict(zip(CHARACTER_CLASSES[kind], letters, strict=True))

    # --- replacing in text -------------------------------------------------------------

    def text(self, text: str) -> str:
        """The text with every known value of usable length replaced, in one pass."""
        if not self._by_value or not text:
            return text
        pattern = self._compiled()
        if pattern is None:
            return text
        return pattern.sub(lambda match: self._replacements[match.group(0)], text)

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None:
            self._replacements = {}
            for value, pseudonym in self._by_value.items():
                if len(value) < MIN_SUBSTRING_LENGTH:
                    continue
                for replacement in spellings(value, pseudonym):
                    self._replacements.setdefault(replacement.written, replacement.pseudonym)
            if not self._replacements:
                return None
            # Longest first, so a secret that contains another is replaced whole.
            ordered = sorted(self._replacements, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(written) for written in ordered))
        return self._pattern


def spellings(value: str, pseudonym: str) -> list[Replacement]:
    """The ways a value may be written in a URL, a form, JSON or a header."""
    forms = [
        Replacement(value, pseudonym),
        Replacement(quote(value, safe=""), quote(pseudonym, safe="")),
        Replacement(quote_plus(value, safe=""), quote_plus(pseudonym, safe="")),
        Replacement(json.dumps(value)[1:-1], json.dumps(pseudonym)[1:-1]),
        Replacement(value.replace("/", "\\/"), pseudonym.replace("/", "\\/")),
    ]
    unique: dict[str, Replacement] = {}
    for form in forms:
        unique.setdefault(form.written, form)
    return list(unique.values())


# --- what is a secret ----------------------------------------------------------------------


def secret_members(data: Any) -> Iterable[tuple[str, str]]:
    """(value, kind) for every secret member of parsed answer data, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            kind = member_kind(str(key))
            if kind is not None and isinstance(value, str) and value:
                yield value, kind
            else:
                yield from secret_members(value)
    elif isinstance(data, list):
        for item in data:
            yield from secret_members(item)


def member_kind(name: str) -> str | None:
    lowered = name.lower()
    if lowered in NOT_SECRET_MEMBERS:
        return None
    if lowered in SECRET_MEMBERS:
        return SECRET_MEMBERS[lowered]
    if lowered.endswith("token") or lowered.endswith("secret"):
        return "token" if lowered.endswith("token") else "client-secret"
    return None


def cookie_values(set_cookie: str) -> list[str]:
    """The value of a Set-Cookie header worth hiding (long enough to be a session)."""
    pair = set_cookie.split(";", 1)[0]
    if "=" not in pair:
        return []
    value = pair.split("=", 1)[1].strip().strip('"')
    return [value] if len(value) >= MIN_COOKIE_LENGTH else []


# --- Authorization headers -------------------------------------------------------------------


def scrub_authorization(value: str, pseudonyms: Pseudonyms) -> str:
    """Basic: user and password replaced inside the base64 and re-encoded. Bearer: the token
    replaced (and learned, when it was never seen issued). Anything else: known values."""
    scheme, _, credentials = value.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "basic" and credentials:
        return f"{scheme} {scrub_basic(credentials, pseudonyms)}"
    if scheme.lower() == "bearer" and credentials:
        if len(credentials) >= MIN_SUBSTRING_LENGTH:
            pseudonyms.learn(credentials, "access-token")
        return f"{scheme} {pseudonyms.text(credentials)}"
    return pseudonyms.text(value)


def scrub_basic(credentials: str, pseudonyms: Pseudonyms) -> str:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8", "surrogateescape")
    except (binascii.Error, ValueError):
        # Not base64 at all: the whole thing is the secret.
        return pseudonyms.learn(credentials, "client-secret")
    user, colon, password = decoded.partition(":")
    clean = f"{_scrub_part(user, pseudonyms)}{colon}{_scrub_part(password, pseudonyms)}"
    return base64.b64encode(clean.encode("utf-8", "surrogateescape")).decode("ascii")


def _scrub_part(part: str, pseudonyms: Pseudonyms) -> str:
    whole = pseudonyms.pseudonym(part)
    return whole if whole is not None else pseudonyms.text(part)


def basic_credentials(value: str) -> tuple[str, str] | None:
    """The user and password of a Basic Authorization header, when it is one."""
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


def learn_credentials(pseudonyms: Pseudonyms, credentials: Mapping[str, str | None]) -> None:
    """Teach the table the configured credentials, by kind (api-key, client-id, ...)."""
    for kind, value in credentials.items():
        if value:
            pseudonyms.learn(value, kind)
