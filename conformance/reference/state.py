"""What the reference remembers: storefront sessions, shopper sessions, tokens, revocations.

A session token stands for a storefront session on the store host. Each exchange of it (and
each one-call token, each shopper token) opens a new shopper session, the thing token
information reports as ``sessionId``; access tokens and refresh tokens are bound to a
shopper session and die with it. The site session timeout sets every lifetime.

Times are whole microseconds since the epoch, so that ``expires_in`` at issue is exactly
the site session timeout instead of one second less through float rounding.

The store is safe to share between threads (one lock) and its memory is bounded: expired
records are dropped as new ones arrive, and beyond ``capacity`` records of one kind the
oldest are dropped first, live or not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from conformance.reference.clock import Clock

MICROS = 1_000_000
# How many insertions pass between full sweeps for expired records. Insertion order is
# close to expiry order, so most expired records go from the front at once; the full sweep
# catches the few stuck behind a longer-lived one (another site's timeout, a refresh).
_SWEEP_EVERY = 1024


@dataclass(frozen=True)
class StorefrontSession:
    """The store-host session a session token stands for."""

    session_token: str
    site_id: str
    created_us: int
    expires_us: int
    # Kept only so that the ``same-session`` fault can hand the session out again.
    first_shopper_session: str | None = None


@dataclass(frozen=True)
class ShopperSession:
    session_id: str
    site_id: str
    created_us: int
    expires_us: int
    last_accessed_us: int
    session_tag: str
    authenticated: bool
    user_id: str | None
    external_reference_id: str | None
    client_ip: str
    domain: str
    session_token: str | None


@dataclass(frozen=True)
class AccessTokenRecord:
    token: str
    session_id: str
    issued_us: int
    expires_in: int
    revoked: bool = False


@dataclass(frozen=True)
class RefreshTokenRecord:
    token: str
    session_id: str
    access_token: str


@dataclass(frozen=True)
class StateCounts:
    storefront_sessions: int
    shopper_sessions: int
    access_tokens: int
    refresh_tokens: int


_R = TypeVar("_R")


class ReferenceState:
    def __init__(self, clock: Clock, capacity: int) -> None:
        self._clock = clock
        self._capacity = capacity
        self._lock = threading.RLock()
        self._storefront: dict[str, StorefrontSession] = {}
        self._sessions: dict[str, ShopperSession] = {}
        self._access: dict[str, AccessTokenRecord] = {}
        self._refresh: dict[str, RefreshTokenRecord] = {}
        self._newest_access: str | None = None
        self._insertions = 0

    @property
    def clock(self) -> Clock:
        return self._clock

    def now_us(self) -> int:
        return round(self._clock.now() * MICROS)

    # --- storefront sessions ------------------------------------------------------------

    def add_storefront_session(self, session: StorefrontSession) -> None:
        with self._lock:
            # Re-adding a token (the session-token-pool fault) moves it to the young end.
            self._storefront.pop(session.session_token, None)
            self._storefront[session.session_token] = session
            self._inserted()

    def storefront_session(self, session_token: str) -> StorefrontSession | None:
        with self._lock:
            session = self._storefront.get(session_token)
            if session is None or session.expires_us <= self.now_us():
                return None
            return session

    def link_first_exchange(self, session_token: str, session_id: str) -> None:
        with self._lock:
            session = self._storefront.get(session_token)
            if session is not None and session.first_shopper_session is None:
                self._storefront[session_token] = replace(
                    session, first_shopper_session=session_id)

    # --- shopper sessions ---------------------------------------------------------------

    def add_shopper_session(self, session: ShopperSession) -> None:
        with self._lock:
            self._sessions[session.session_id] = session
            self._inserted()

    def shopper_session(self, session_id: str) -> ShopperSession | None:
        with self._lock:
            return self._live_session(session_id, self.now_us())

    def extend_shopper_session(self, session_id: str, ttl: int) -> ShopperSession | None:
        """Push the session's expiry to now + ttl; None when it has already expired."""
        with self._lock:
            now = self.now_us()
            session = self._live_session(session_id, now)
            if session is None:
                return None
            extended = replace(session, expires_us=now + ttl * MICROS, last_accessed_us=now)
            # Moved to the young end so that the front of the table stays the oldest expiry.
            del self._sessions[session_id]
            self._sessions[session_id] = extended
            return extended

    def touch_shopper_session(self, session_id: str) -> None:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None:
                self._sessions[session_id] = replace(session, last_accessed_us=self.now_us())

    # --- tokens -------------------------------------------------------------------------

    def add_tokens(self, access: AccessTokenRecord, refresh: RefreshTokenRecord) -> None:
        with self._lock:
            self._access[access.token] = access
            self._refresh[refresh.token] = refresh
            self._newest_access = access.token
            self._inserted()

    @property
    def newest_access_token(self) -> str | None:
        with self._lock:
            return self._newest_access

    def knows_access_token(self, token: str) -> bool:
        """Whether the token was issued and is still remembered, whatever its state."""
        with self._lock:
            return token in self._access

    def live_access_token(self, token: str) -> tuple[AccessTokenRecord, ShopperSession] | None:
        """The token and its session, unless unknown, revoked or expired."""
        with self._lock:
            record = self._access.get(token)
            if record is None or record.revoked:
                return None
            session = self._live_session(record.session_id, self.now_us())
            return None if session is None else (record, session)

    def revoke_access_token(self, token: str) -> None:
        with self._lock:
            record = self._access.get(token)
            if record is not None:
                # Kept (marked) rather than dropped, so that a revoked token stays
                # distinguishable from one never issued until its session expires.
                self._access[token] = replace(record, revoked=True)

    def take_refresh_token(self, token: str, site_id: str,
                           ) -> tuple[RefreshTokenRecord, ShopperSession] | None:
        """Remove a live refresh token of the site and return it with its session.

        Taking it is what makes refresh tokens single-use: the caller issues the next one.
        """
        with self._lock:
            record = self._refresh.get(token)
            if record is None:
                return None
            session = self._live_session(record.session_id, self.now_us())
            if session is None or session.site_id != site_id:
                return None
            del self._refresh[token]
            return record, session

    # --- housekeeping -------------------------------------------------------------------

    def counts(self) -> StateCounts:
        with self._lock:
            return StateCounts(len(self._storefront), len(self._sessions), len(self._access),
                               len(self._refresh))

    def sweep(self) -> None:
        """Drop every expired record now."""
        with self._lock:
            self._prune(full=True)

    def _live_session(self, session_id: str, now: int) -> ShopperSession | None:
        session = self._sessions.get(session_id)
        if session is None or session.expires_us <= now:
            return None
        return session

    def _inserted(self) -> None:
        self._insertions += 1
        self._prune(full=self._insertions % _SWEEP_EVERY == 0)

    def _prune(self, *, full: bool) -> None:
        now = self.now_us()

        def token_dead(record: AccessTokenRecord | RefreshTokenRecord) -> bool:
            return self._live_session(record.session_id, now) is None

        # Sessions before tokens, so that a token whose session just went goes as well.
        _prune(self._storefront, lambda s: s.expires_us <= now, self._capacity, full)
        _prune(self._sessions, lambda s: s.expires_us <= now, self._capacity, full)
        _prune(self._access, token_dead, self._capacity, full)
        _prune(self._refresh, token_dead, self._capacity, full)


def _prune(table: dict[str, _R], is_dead: Callable[[_R], bool], capacity: int,
           full: bool) -> None:
    """Drop dead records (all of them, or those at the old end) and then the oldest beyond
    capacity. Tables keep insertion order, which is close to expiry order."""
    if full:
        for key in [key for key, value in table.items() if is_dead(value)]:
            del table[key]
    while table:
        oldest = next(iter(table))
        if len(table) <= capacity and not is_dead(table[oldest]):
            return
        del table[oldest]
