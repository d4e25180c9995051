"""Generation of session tokens, access tokens, refresh tokens and session identifiers.

Shapes follow what the vendor's live service was seen to hand out: session tokens are 32
upper-case hex characters, access tokens 160 lower-case hex characters, refresh tokens 176
lower-case hex characters that start with the first 64 characters of their access token.
The vendor's access tokens from different sources end in the same 32 characters, so the
reference ends every access token of a site with a suffix fixed for that site; the suite's
unpredictability check allows a shared suffix and measures only the part that varies.

Every random part comes from :mod:`secrets` and carries 128 bits or more (RFC 6749 §10.10),
except under the faults ``short-tokens`` (80 bits) and ``sequential-tokens`` (a counter).
"""

from __future__ import annotations

import hashlib
import secrets
import threading

SESSION_TOKEN_HEX = 32
ACCESS_RANDOM_HEX = 128
SITE_SUFFIX_HEX = 32
REFRESH_SHARED_HEX = 64
REFRESH_RANDOM_HEX = 112
SESSION_TAG_HEX = 32
# 80 bits: above the suite's 64-bit floor for unpredictability, below the 128 it asks for.
SHORT_RANDOM_HEX = 20

# Session identifiers are not secrets (the vendor's are plain numbers), but they must never
# repeat within a run; a counter with a random start and random steps gives both.
_SESSION_ID_START_MIN = 100_000_000_000
_SESSION_ID_START_SPAN = 400_000_000_000
_SESSION_ID_MAX_STEP = 997


def site_suffix(site_id: str) -> str:
    """The 32 hex characters that end every access token of a site."""
    return hashlib.sha256(f"reference-site:{site_id}".encode()).hexdigest()[:SITE_SUFFIX_HEX]


class TokenFactory:
    """Makes new token values; holds no record of them (``state`` does)."""

    def __init__(self, *, short: bool = False, sequential: bool = False) -> None:
        self._random_hex = SHORT_RANDOM_HEX if short else None
        self._sequential = sequential
        self._lock = threading.Lock()
        self._counter = 0
        # The fixed part of access tokens under ``sequential-tokens``.
        self._sequence_prefix = secrets.token_hex(ACCESS_RANDOM_HEX // 2)
        self._next_session_id = _SESSION_ID_START_MIN + secrets.randbelow(_SESSION_ID_START_SPAN)

    def session_token(self) -> str:
        return _hex(self._random_hex or SESSION_TOKEN_HEX).upper()

    def access_token(self, site_id: str) -> str:
        if self._sequential:
            return self._sequence_prefix + f"{self._count():0{SITE_SUFFIX_HEX}d}"
        return _hex(self._random_hex or ACCESS_RANDOM_HEX) + site_suffix(site_id)

    def refresh_token(self, access_token: str) -> str:
        if self._random_hex is not None:
            return _hex(self._random_hex)
        return access_token[:REFRESH_SHARED_HEX] + _hex(REFRESH_RANDOM_HEX)

    def session_tag(self) -> str:
        return _hex(SESSION_TAG_HEX)

    def session_id(self) -> str:
        with self._lock:
            value = self._next_session_id
            self._next_session_id += 1 + secrets.randbelow(_SESSION_ID_MAX_STEP)
        return str(value)

    def _count(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter


def _hex(length: int) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]
