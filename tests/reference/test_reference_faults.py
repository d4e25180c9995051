"""Every named fault is really there, over HTTP, and absent without it.

Each probe asserts the one deviation its fault promises. Running the same probe against a
fault-free reference must fail, which proves the probe can tell the difference.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from reference_helpers import Flows, oauth_error

from conformance.reference.clock import ManualClock
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import FAULTS
from conformance.reference.server import ReferenceServer

TTL = 86400
FORGED = "0123456789ABCDEF0123456789ABCDEF"


@dataclass(frozen=True)
class Reference:
    server: ReferenceServer
    flows: Flows
    clock: ManualClock

    @property
    def http(self) -> httpx.Client:
        return self.flows.http

    def site_action(self, **params: str) -> httpx.Response:
        return self.http.get("/store/drsite/SessionToken", params=params)


Probe = Callable[[Reference], None]
PROBES: dict[str, Probe] = {}


def probe(fault: str) -> Callable[[Probe], Probe]:
    def register(function: Probe) -> Probe:
        PROBES[fault] = function
        return function
    return register


# --- session-token ------------------------------------------------------------------------


@probe("session-token-renamed")
def _renamed(ref: Reference) -> None:
    assert set(ref.site_action(format="json").json()) == {"sessionToken"}


@probe("api-key-ignored")
def _api_key_ignored(ref: Reference) -> None:
    body = ref.site_action(format="json", apiKey=ref.flows.config.api_key).json()
    assert set(body) == {"session_token"}
    assert ref.site_action(format="json", apiKey="pk-bogus").status_code == 401


@probe("default-format-text")
def _default_text(ref: Reference) -> None:
    response = ref.site_action()
    assert response.headers["content-type"].startswith("text/plain")
    assert re.fullmatch(r"[0-9A-F]{32}", response.text)
    assert ref.site_action(format="xml").headers["content-type"] == "application/xml"


@probe("any-api-key")
def _any_api_key(ref: Reference) -> None:
    response = ref.site_action(format="json", apiKey="pk-bogus")
    assert response.status_code == 200 and "access_token" in response.json()


@probe("any-site")
def _any_site(ref: Reference) -> None:
    response = ref.http.get("/store/no-such-site/SessionToken", params={"format": "json"})
    assert response.status_code == 200 and "session_token" in response.json()


# --- jsonp --------------------------------------------------------------------------------


@probe("jsonp-unwrapped")
def _jsonp_unwrapped(ref: Reference) -> None:
    response = ref.site_action(format="json", callback="cb")
    assert response.headers["content-type"] == "application/javascript"
    assert response.text.startswith('{"session_token":')


@probe("jsonp-as-json")
def _jsonp_as_json(ref: Reference) -> None:
    response = ref.site_action(format="json", callback="cb")
    assert response.headers["content-type"] == "application/json"
    assert response.text.startswith('cb({"session_token":')


@probe("callback-reflected")
def _callback_reflected(ref: Reference) -> None:
    response = ref.site_action(format="json", callback="alert(1)//")
    assert response.status_code == 200
    assert response.text.startswith("alert(1)//(")


# --- exchange -----------------------------------------------------------------------------


@probe("form-body-ignored")
def _form_ignored(ref: Reference) -> None:
    form = {"grant_type": "password", "dr_session_token": ref.flows.session_token()}
    assert ref.flows.token_request(form).status_code == 400
    assert ref.flows.token_request(params=form).status_code == 200


@probe("no-refresh-token")
def _no_refresh(ref: Reference) -> None:
    assert "refresh_token" not in ref.flows.exchange()
    assert "refresh_token" in ref.flows.one_call_token()


@probe("token-type-mac")
def _mac(ref: Reference) -> None:
    assert ref.flows.exchange()["token_type"] == "mac"


@probe("expires-in-string")
def _expires_string(ref: Reference) -> None:
    assert ref.flows.exchange()["expires_in"] == str(TTL)


@probe("same-session")
def _same_session(ref: Reference) -> None:
    flows = ref.flows
    session_token = flows.session_token()
    first, second = flows.exchange(session_token), flows.exchange(session_token)
    assert flows.session_id(first["access_token"]) == flows.session_id(second["access_token"])
    assert first["access_token"] != second["access_token"]
    assert second["expires_in"] == TTL
    other = flows.exchange()
    assert flows.session_id(other["access_token"]) != flows.session_id(first["access_token"])


@probe("ttl-fixed-hour")
def _fixed_hour(ref: Reference) -> None:
    token = ref.flows.exchange()
    assert token["expires_in"] == 3600
    assert ref.flows.info(token["access_token"])["expiresIn"] == 3600
    ref.clock.advance(3600)
    assert ref.flows.info_response(token["access_token"]).status_code == 401


@probe("secret-ignored")
def _secret_ignored(ref: Reference) -> None:
    flows = ref.flows
    assert flows.exchange_response(flows.session_token(),
                                   auth=(flows.config.client_id, "wrong")).status_code == 200
    unknown = flows.exchange_response(flows.session_token(), auth=("nobody", "wrong"))
    assert unknown.status_code == 401


@probe("any-client")
def _any_client(ref: Reference) -> None:
    flows = ref.flows
    assert flows.exchange_response(flows.session_token(),
                                   auth=("nobody", "whatever")).status_code == 200
    wrong_secret = flows.exchange_response(flows.session_token(),
                                           auth=(flows.config.client_id, "wrong"))
    assert wrong_secret.status_code == 401


@probe("forged-session-token-accepted")
def _forged(ref: Reference) -> None:
    assert ref.flows.exchange_response(FORGED).status_code == 200
    assert ref.flows.exchange_response("not-a-session-token").status_code == 400


@probe("unknown-grant-as-password")
def _unknown_grant(ref: Reference) -> None:
    response = ref.flows.token_request({"grant_type": "nonsense"})
    assert response.status_code == 200 and "access_token" in response.json()


@probe("missing-grant-as-password")
def _missing_grant(ref: Reference) -> None:
    response = ref.flows.token_request({"dr_session_token": ref.flows.session_token()})
    assert response.status_code == 200 and "access_token" in response.json()


@probe("error-without-error-member")
def _no_error_member(ref: Reference) -> None:
    response = ref.flows.token_request({"grant_type": "nonsense"})
    assert response.status_code == 400
    assert "error" not in response.json() and "message" in response.json()
    bad_secret = ref.flows.token_request({"grant_type": "password"}, auth=("reference-client",
                                                                           "wrong"))
    assert oauth_error(bad_secret) == "invalid_client"


# --- shopper-token ------------------------------------------------------------------------


@probe("shopper-token-missing")
def _shopper_missing(ref: Reference) -> None:
    assert ref.flows.shopper_token_response().status_code == 404


@probe("shopper-token-same-session")
def _shopper_same_session(ref: Reference) -> None:
    flows = ref.flows
    first = flows.shopper_token_response(session_token=flows.session_token()).json()
    second = flows.shopper_token_response(session_token=flows.session_token()).json()
    assert flows.session_id(first["access_token"]) == flows.session_id(second["access_token"])


@probe("shopper-any-api-key")
def _shopper_any_key(ref: Reference) -> None:
    response = ref.flows.shopper_token_response(apiKey="pk-bogus")
    assert response.status_code == 200 and "access_token" in response.json()


# --- token-information --------------------------------------------------------------------


@probe("info-no-session-id")
def _no_session_id(ref: Reference) -> None:
    info = ref.flows.info(ref.flows.exchange()["access_token"])
    assert "sessionId" not in info and "expiresIn" in info


@probe("bearer-ignored")
def _bearer_ignored(ref: Reference) -> None:
    token = ref.flows.exchange()["access_token"]
    by_bearer = ref.http.get("/oauth20/access-tokens",
                             headers={"Authorization": f"Bearer {token}"})
    assert by_bearer.status_code == 401
    assert ref.flows.info_response(token).status_code == 200


@probe("anonymous-authenticated")
def _anonymous_authenticated(ref: Reference) -> None:
    assert ref.flows.info(ref.flows.exchange()["access_token"])["authenticated"] == "true"


@probe("info-expires-inflated")
def _inflated(ref: Reference) -> None:
    assert ref.flows.info(ref.flows.exchange()["access_token"])["expiresIn"] == TTL + 120


@probe("info-expires-frozen")
def _frozen(ref: Reference) -> None:
    token = ref.flows.exchange()["access_token"]
    ref.clock.advance(100)
    assert ref.flows.info(token)["expiresIn"] == TTL


@probe("info-unknown-token-ok")
def _unknown_ok(ref: Reference) -> None:
    response = ref.flows.info_response("never-issued")
    assert response.status_code == 200 and response.json()["sessionId"] is None
    revoked = ref.flows.exchange()["access_token"]
    ref.flows.info_response(revoked, method="DELETE")
    assert ref.flows.info_response(revoked).status_code == 401


@probe("revoke-noop")
def _revoke_noop(ref: Reference) -> None:
    token = ref.flows.exchange()["access_token"]
    assert ref.flows.info_response(token, method="DELETE").status_code == 200
    assert ref.flows.info_response(token).status_code == 200


@probe("revoke-only-newest")
def _revoke_only_newest(ref: Reference) -> None:
    older = ref.flows.exchange()["access_token"]
    newest = ref.flows.exchange()["access_token"]
    assert ref.flows.info_response(older, method="DELETE").status_code == 200
    assert ref.flows.info_response(older).status_code == 200
    assert ref.flows.info_response(newest, method="DELETE").status_code == 200
    assert ref.flows.info_response(newest).status_code == 401


# --- refresh ------------------------------------------------------------------------------


@probe("refresh-refused")
def _refresh_refused(ref: Reference) -> None:
    issued = ref.flows.exchange()
    response = ref.flows.refresh_response(issued["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@probe("any-refresh-token")
def _any_refresh(ref: Reference) -> None:
    response = ref.flows.refresh_response("forged-refresh-token")
    assert response.status_code == 200
    assert ref.flows.info(response.json()["access_token"])["sessionId"]


# --- hygiene ------------------------------------------------------------------------------


@probe("crash-on-control-character")
def _crash(ref: Reference) -> None:
    for char in ("\x00", "\x1f", "\x7f"):
        crashed = ref.flows.exchange_response(f"AB{char}CD")
        assert crashed.status_code == 500 and oauth_error(crashed) == "server_error"
    assert ref.flows.exchange_response("ABCD").status_code == 400
    assert ref.flows.token_request({"grant_type": "pass\x00word"}).status_code == 400
    # A deliberate crash is not an unexpected one.
    assert ref.server.app.unexpected_errors == 0


@probe("session-token-pool")
def _pool(ref: Reference) -> None:
    tokens = [ref.flows.session_token() for _ in range(9)]
    assert len(set(tokens)) == 3
    for token in set(tokens):
        assert ref.flows.exchange_response(token).status_code == 200


@probe("sequential-tokens")
def _sequential(ref: Reference) -> None:
    tokens = [ref.flows.exchange()["access_token"] for _ in range(3)]
    assert all(re.fullmatch(r"[0-9a-f]{160}", token) for token in tokens)
    assert len({token[:128] for token in tokens}) == 1
    counters = [int(token[128:]) for token in tokens]
    assert counters == [counters[0], counters[0] + 1, counters[0] + 2]


@probe("short-tokens")
def _short(ref: Reference) -> None:
    assert re.fullmatch(r"[0-9A-F]{20}", ref.flows.session_token())
    issued = ref.flows.exchange()
    assert re.fullmatch(r"[0-9a-f]{52}", issued["access_token"])
    assert re.fullmatch(r"[0-9a-f]{20}", issued["refresh_token"])


@probe("no-cache-headers")
def _no_cache(ref: Reference) -> None:
    response = ref.flows.exchange_response(ref.flows.session_token())
    assert response.status_code == 200 and "cache-control" not in response.headers
    assert "cache-control" not in ref.site_action(format="json").headers


@probe("error-text-plain")
def _error_text(ref: Reference) -> None:
    response = ref.flows.token_request({"grant_type": "nonsense"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.json()["error"] == "unsupported_grant_type"


# --- schema -------------------------------------------------------------------------------


@probe("info-locale-number")
def _locale_number(ref: Reference) -> None:
    assert ref.flows.info(ref.flows.exchange()["access_token"])["locale"] == 1033


# --- the tests ----------------------------------------------------------------------------


def test_every_fault_has_a_probe() -> None:
    assert set(PROBES) == {fault.name for fault in FAULTS}


@pytest.fixture(scope="module")
def fault_free() -> Iterator[Reference]:
    clock = ManualClock()
    with ReferenceServer(ReferenceConfig(), clock=clock) as server, \
            httpx.Client(base_url=server.base_url, verify=False, timeout=10) as http:
        yield Reference(server, Flows(http, server.config), clock)


@pytest.fixture(scope="module")
def with_fault() -> Iterator[Callable[[str], Reference]]:
    """A fresh reference per fault; all are stopped together at the end, in parallel,
    because each stop waits a good part of a second for uvicorn's shutdown ticks."""
    started: list[tuple[ReferenceServer, httpx.Client]] = []

    def start(fault: str) -> Reference:
        clock = ManualClock()
        server = ReferenceServer(ReferenceConfig(faults=frozenset({fault})), clock=clock).start()
        http = httpx.Client(base_url=server.base_url, verify=False, timeout=10)
        started.append((server, http))
        return Reference(server, Flows(http, server.config), clock)

    yield start
    for _, http in started:
        http.close()
    stoppers = [threading.Thread(target=server.stop) for server, _ in started]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()


@pytest.mark.parametrize("fault", [fault.name for fault in FAULTS])
def test_fault_deviates(with_fault: Callable[[str], Reference], fault: str) -> None:
    PROBES[fault](with_fault(fault))


@pytest.mark.parametrize("fault", [fault.name for fault in FAULTS])
def test_probe_fails_without_its_fault(fault_free: Reference, fault: str) -> None:
    with pytest.raises(AssertionError):
        PROBES[fault](fault_free)
