"""Issuing, refreshing, describing and revoking tokens: the reference's behaviour rules.

The HTTP handlers decide *whether* a request may have a token; this module decides *what*
the token is bound to. The rules it keeps:

- a session token stands for a storefront session that lives as long as the site session
  timeout;
- every issuance (an exchange, a one-call token, a shopper token, an anonymous or
  client-credentials token) opens a new shopper session, even when the same session token
  is exchanged twice (requirement EX-NEW-SESSION);
- ``expires_in`` is the remaining lifetime of that session, which at issue is the site
  session timeout (EX-TTL-MATCHES-SITE);
- a refresh hands out a new access token and a new refresh token on the same session,
  extends the session by the site session timeout, and retires the refresh token it was
  given; earlier access tokens keep working until the session expires;
- revocation retires one access token and nothing else.

Faults that change these rules are applied here, each in the one place it deviates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from conformance.reference.config import ReferenceConfig, Site
from conformance.reference.state import (
    MICROS,
    AccessTokenRecord,
    ReferenceState,
    RefreshTokenRecord,
    ShopperSession,
    StorefrontSession,
)
from conformance.reference.tokens import TokenFactory

FIXED_HOUR = 3600
SESSION_TOKEN_POOL_SIZE = 3


@dataclass(frozen=True)
class Origin:
    """Where an issuing request came from, as token information later reports it."""

    client_ip: str
    domain: str


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


@dataclass(frozen=True)
class Shopper:
    """Who the new session belongs to: nobody (anonymous) or a partner's shopper."""

    external_reference_id: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.external_reference_id is not None


ANONYMOUS = Shopper()


@dataclass(frozen=True)
class TokenInformation:
    session: ShopperSession
    access: AccessTokenRecord
    expires_in: int


class TokenIssuer:
    def __init__(self, config: ReferenceConfig, state: ReferenceState,
                 factory: TokenFactory | None = None) -> None:
        self._config = config
        self._state = state
        self._factory = factory or TokenFactory(
            short=config.has_fault("short-tokens"),
            sequential=config.has_fault("sequential-tokens"))
        self._pools: dict[str, tuple[str, ...]] = {}
        self._pool_turn = 0
        self._shared_shopper_sessions: dict[str, str] = {}

    @property
    def state(self) -> ReferenceState:
        return self._state

    def session_ttl(self, site: Site) -> int:
        if self._config.has_fault("ttl-fixed-hour"):
            return FIXED_HOUR
        return site.session_ttl

    # --- session tokens -----------------------------------------------------------------

    def issue_session_token(self, site: Site) -> str:
        token = self._pooled_session_token(site) if self._config.has_fault(
            "session-token-pool") else self._factory.session_token()
        now = self._state.now_us()
        self._state.add_storefront_session(StorefrontSession(
            session_token=token, site_id=site.site_id, created_us=now,
            expires_us=now + self.session_ttl(site) * MICROS))
        return token

    def storefront_session(self, session_token: str) -> StorefrontSession | None:
        return self._state.storefront_session(session_token)

    def forged_storefront_session(self, session_token: str, site: Site) -> StorefrontSession:
        """A stand-in for a session token never issued (the forged-session-token fault)."""
        now = self._state.now_us()
        return StorefrontSession(session_token, site.site_id, now, now + MICROS)

    def _pooled_session_token(self, site: Site) -> str:
        pool = self._pools.get(site.site_id)
        if pool is None:
            pool = tuple(self._factory.session_token() for _ in range(SESSION_TOKEN_POOL_SIZE))
            self._pools[site.site_id] = pool
        self._pool_turn += 1
        return pool[self._pool_turn % SESSION_TOKEN_POOL_SIZE]

    # --- issuance -----------------------------------------------------------------------

    def issue_new_session(self, site: Site, origin: Origin, *, shopper: Shopper = ANONYMOUS,
                          session_token: str | None = None) -> IssuedToken:
        """A token on a shopper session nobody was handed before."""
        session = self._open_session(site, origin, shopper, session_token)
        return self._bind_new_tokens(session, self.session_ttl(site))

    def exchange(self, storefront: StorefrontSession, site: Site, origin: Origin,
                 shopper: Shopper = ANONYMOUS) -> IssuedToken:
        """A session-aware token for a session token: a new session every time."""
        if self._config.has_fault("same-session") and storefront.first_shopper_session:
            reused = self._state.extend_shopper_session(
                storefront.first_shopper_session, self.session_ttl(site))
            if reused is not None:
                return self._bind_new_tokens(reused, self.session_ttl(site))
        issued = self.issue_new_session(site, origin, shopper=shopper,
                                        session_token=storefront.session_token)
        self._state.link_first_exchange(storefront.session_token, issued.session_id)
        return issued

    def shopper_token(self, site: Site, origin: Origin,
                      storefront: StorefrontSession | None) -> IssuedToken:
        """A token from the legacy Shopper API route, session-aware when given one."""
        if storefront is not None and self._config.has_fault("shopper-token-same-session"):
            return self._shared_session_token(site, origin, storefront)
        session_token = storefront.session_token if storefront else None
        return self.issue_new_session(site, origin, session_token=session_token)

    def _shared_session_token(self, site: Site, origin: Origin,
                              storefront: StorefrontSession) -> IssuedToken:
        shared = self._shared_shopper_sessions.get(site.site_id)
        if shared is not None:
            session = self._state.extend_shopper_session(shared, self.session_ttl(site))
            if session is not None:
                return self._bind_new_tokens(session, self.session_ttl(site))
        issued = self.issue_new_session(site, origin, session_token=storefront.session_token)
        self._shared_shopper_sessions[site.site_id] = issued.session_id
        return issued

    # --- refresh ------------------------------------------------------------------------

    def refresh(self, refresh_token: str, site: Site, origin: Origin) -> IssuedToken | None:
        """The next token pair on the refresh token's session; None when it is not valid."""
        taken = self._state.take_refresh_token(refresh_token, site.site_id)
        if taken is None:
            if self._config.has_fault("any-refresh-token"):
                return self.issue_new_session(site, origin)
            return None
        if self._config.has_fault("refresh-refused"):
            return None
        _, session = taken
        ttl = self.session_ttl(site)
        extended = self._state.extend_shopper_session(session.session_id, ttl) or session
        return self._bind_new_tokens(extended, ttl)

    # --- token information and revocation -----------------------------------------------

    def information(self, access_token: str) -> TokenInformation | None:
        found = self._state.live_access_token(access_token)
        if found is None:
            return None
        record, session = found
        self._state.touch_shopper_session(session.session_id)
        remaining = (session.expires_us - self._state.now_us()) // MICROS
        return TokenInformation(session, record, max(remaining, 0))

    def revoke(self, access_token: str) -> TokenInformation | None:
        """Revoke one access token; its information as it was, or None when not valid."""
        info = self.information(access_token)
        if info is None:
            return None
        if self._revocation_applies(access_token):
            self._state.revoke_access_token(access_token)
        return info

    def _revocation_applies(self, access_token: str) -> bool:
        if self._config.has_fault("revoke-noop"):
            return False
        if self._config.has_fault("revoke-only-newest"):
            return access_token == self._state.newest_access_token
        return True

    # --- helpers ------------------------------------------------------------------------

    def _open_session(self, site: Site, origin: Origin, shopper: Shopper,
                      session_token: str | None) -> ShopperSession:
        now = self._state.now_us()
        session = ShopperSession(
            session_id=self._factory.session_id(),
            site_id=site.site_id,
            created_us=now,
            expires_us=now + self.session_ttl(site) * MICROS,
            last_accessed_us=now,
            session_tag=self._factory.session_tag(),
            authenticated=shopper.authenticated,
            user_id=_user_id(site, shopper),
            external_reference_id=shopper.external_reference_id,
            client_ip=origin.client_ip,
            domain=origin.domain,
            session_token=session_token,
        )
        self._state.add_shopper_session(session)
        return session

    def _bind_new_tokens(self, session: ShopperSession, expires_in: int) -> IssuedToken:
        access_token = self._factory.access_token(session.site_id)
        refresh_token = self._factory.refresh_token(access_token)
        access = AccessTokenRecord(access_token, session.session_id, self._state.now_us(),
                                   expires_in)
        self._state.add_tokens(access, self._refresh_record(refresh_token, access_token,
                                                            session))
        return IssuedToken(access_token, refresh_token, expires_in, session.session_id)

    @staticmethod
    def _refresh_record(refresh_token: str, access_token: str,
                        session: ShopperSession) -> RefreshTokenRecord:
        return RefreshTokenRecord(refresh_token, session.session_id, access_token)


def _user_id(site: Site, shopper: Shopper) -> str | None:
    """A shopper ID that stays the same for one partner's shopper on one site."""
    if shopper.external_reference_id is None:
        return None
    digest = hashlib.sha256(f"{site.site_id}\0{shopper.external_reference_id}".encode())
    return str(100_000_000_000 + int(digest.hexdigest(), 16) % 900_000_000_000)
