"""The flows over HTTP: session token, exchange, shopper token, token information, refresh.

Every call returns an ``Observation`` (never raises for what the target does: a refused
connection or a timeout is an observation too), registers the tokens it saw in the
``TokenLedger`` and teaches the ``Redactor`` the new secrets before anything is reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.evidence import Observation, ObservedRequest, ObservedResponse, Redactor
from conformance.formats import parse_body, session_token_of, token_members
from conformance.target import Target

log = logging.getLogger("conformance")

TOKEN_KINDS = ("session-token", "access-token", "refresh-token")


@dataclass
class TokenLedger:
    """Every token the run saw issued, by kind, in order of issue."""

    issued: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in TOKEN_KINDS})

    def add(self, kind: str, value: str) -> None:
        self.issued.setdefault(kind, []).append(value)


def register_tokens(observation: Observation, redactor: Redactor, ledger: TokenLedger) -> None:
    """Teach the run every token a successful answer hands out: the ledger keeps it for the
    uniqueness and unpredictability checks, the redactor hides it from every report."""
    response = observation.response
    if response is None or not 200 <= response.status < 300:
        return
    data = parse_body(response)
    members = token_members(data) or {}
    found = {"session-token": session_token_of(data),
             "access-token": members.get("access_token"),
             "refresh-token": members.get("refresh_token")}
    for kind, value in found.items():
        if isinstance(value, str) and value:
            ledger.add(kind, value)
            redactor.add(value, kind)


class FlowClient:
    """Speaks the vendor's flows to one target."""

    def __init__(
        self,
        target: Target,
        redactor: Redactor | None = None,
        ledger: TokenLedger | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.target = target
        self.redactor = redactor if redactor is not None else Redactor(target.secrets())
        self.ledger = ledger if ledger is not None else TokenLedger()
        self.history: list[Observation] = []
        self._http = httpx.Client(timeout=timeout or target.timeout, transport=transport,
                                  headers={"User-Agent": "dr-conformance"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FlowClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the site action ---------------------------------------------------------------

    def session_token(
        self,
        *,
        api_key: str | None = None,
        format: str | None = "json",
        callback: str | None = None,
        site_id: str | None = None,
        accept: str | None = None,
        label: str = "session token",
    ) -> Observation:
        params = _present({"apiKey": api_key, "format": format, "callback": callback})
        headers = {"Accept": accept} if accept else {}
        url = f"{self.target.store_url}/store/{site_id or self.target.site_id}/SessionToken"
        return self.send("GET", url, params=params, headers=headers, label=label)

    def new_session_token(self) -> str | None:
        """A fresh session token, or None when the target does not hand one out."""
        observation = self.session_token(label="session token for a later step")
        if observation.response is None:
            return None
        return session_token_of(parse_body(observation.response))

    # --- the OAuth token endpoint --------------------------------------------------------

    def token(
        self,
        form: Mapping[str, str],
        *,
        auth: tuple[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        accept: str = "application/json",
        label: str = "token request",
    ) -> Observation:
        return self.send(
            "POST", f"{self.target.api_url}/oauth20/token", params=dict(query or {}),
            data=dict(form), auth=auth, headers={"Accept": accept}, label=label,
        )

    def client_auth(self) -> tuple[str, str]:
        return (self.target.client_id or "", self.target.client_secret or "")

    def exchange(self, session_token: str, *, label: str = "exchange") -> Observation:
        form = {"grant_type": "password", "dr_session_token": session_token}
        return self.token(form, auth=self.client_auth(), label=label)

    def refresh(self, refresh_token: str, *, label: str = "refresh") -> Observation:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self.token(form, auth=self.client_auth(), label=label)

    # --- the legacy Shopper API route ----------------------------------------------------

    def shopper_token(
        self,
        *,
        api_key: str | None,
        session_token: str | None = None,
        label: str = "shopper token",
    ) -> Observation:
        # The vendor's pages name the parameter session_token in one place and sessionToken
        # in another; sending both with one value suits either reading.
        params = _present({"apiKey": api_key, "format": "json", "session_token": session_token,
                           "sessionToken": session_token})
        return self.send("GET", f"{self.target.api_url}/v1/shoppers/token", params=params,
                         headers={"Accept": "application/json"}, label=label)

    # --- token information and revocation ------------------------------------------------

    def token_information(
        self, access_token: str, *, method: str = "GET", as_bearer: bool = False,
        label: str = "token information",
    ) -> Observation:
        params = {"format": "json"}
        headers = {"Accept": "application/json"}
        if as_bearer:
            headers["Authorization"] = f"Bearer {access_token}"
        else:
            params["token"] = access_token
        return self.send(method, f"{self.target.api_url}/oauth20/access-tokens", params=params,
                         headers=headers, label=label)

    def revoke(self, access_token: str, *, label: str = "revocation") -> Observation:
        return self.token_information(access_token, method="DELETE", label=label)

    # --- plumbing ------------------------------------------------------------------------

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        label: str = "",
    ) -> Observation:
        request = self._http.build_request(
            method, url, params=params or None, data=data or None, content=content,
            headers=headers,
        )
        if auth is not None:
            request = _with_basic_auth(self._http, request, auth)

        started = time.monotonic()
        try:
            response = self._http.send(request)
        except httpx.HTTPError as exc:
            observation = Observation(_observed_request(request), None,
                                      error=f"{type(exc).__name__}: {exc}",
                                      elapsed=time.monotonic() - started, label=label)
        else:
            observation = Observation(_observed_request(request), _observed_response(response),
                                      elapsed=time.monotonic() - started, label=label)
            register_tokens(observation, self.redactor, self.ledger)

        self.history.append(observation)
        log.debug("%s", self.redactor.text(observation.summary()))
        return observation

def _present(params: Mapping[str, str | None]) -> dict[str, str]:
    return {key: value for key, value in params.items() if value is not None}


def _with_basic_auth(http: httpx.Client, request: httpx.Request,
                     auth: tuple[str, str]) -> httpx.Request:
    flow = httpx.BasicAuth(*auth).sync_auth_flow(request)
    authorised: httpx.Request = next(flow)
    return authorised


def _observed_request(request: httpx.Request) -> ObservedRequest:
    body = request.content.decode("utf-8", errors="replace") if request.content else ""
    return ObservedRequest(request.method, str(request.url),
                           tuple((k, v) for k, v in request.headers.items()), body)


def _observed_response(response: httpx.Response) -> ObservedResponse:
    return ObservedResponse(response.status_code,
                            tuple((k, v) for k, v in response.headers.items()),
                            response.content.decode("utf-8", errors="replace"))


def json_members(observation: Observation) -> dict[str, Any]:
    """The token members of an answer, or an empty dict."""
    if observation.response is None:
        return {}
    return token_members(parse_body(observation.response)) or {}
