"""Malformed input never gets a 5xx; many clients at once; memory stays bounded."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from reference_helpers import Flows

from conformance.reference.clock import ManualClock
from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer

Start = Callable[..., tuple[ReferenceServer, Flows]]
BASIC = ("reference-client", "reference-secret")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MEGABYTE = "A" * 1_000_000
CONTROL_CHARACTERS = ["\x00", "\x01", "\n", "\x1b", "\x7f", "\x85", "\x9f"]

# name -> (method, path, httpx keyword arguments)
MALFORMED: dict[str, tuple[str, str, dict[str, Any]]] = {
    "bad escape in body": ("POST", "/oauth20/token", {
        "content": b"grant_type=password&dr_session_token=%zz%", "headers": FORM,
        "auth": BASIC}),
    "lone percent in body": ("POST", "/oauth20/token", {
        "content": b"grant_type=%", "headers": FORM, "auth": BASIC}),
    "non-UTF-8 body": ("POST", "/oauth20/token", {
        "content": b"grant_type=password&dr_session_token=\xff\xfe\xfd", "headers": FORM,
        "auth": BASIC}),
    "non-UTF-8 escapes in body": ("POST", "/oauth20/token", {
        "content": b"grant_type=password&dr_session_token=%ff%c0%80", "headers": FORM,
        "auth": BASIC}),
    "latin-1 charset": ("POST", "/oauth20/token", {
        "content": b"grant_type=password", "auth": BASIC,
        "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}}),
    "1 MB session token": ("POST", "/oauth20/token", {
        "data": {"grant_type": "password", "dr_session_token": MEGABYTE}, "auth": BASIC}),
    "1 MB grant type": ("POST", "/oauth20/token", {
        "data": {"grant_type": MEGABYTE}, "auth": BASIC}),
    "50 kB session token": ("POST", "/oauth20/token", {
        "data": {"grant_type": "password", "dr_session_token": "A" * 50_000},
        "auth": BASIC}),
    "JSON body": ("POST", "/oauth20/token", {
        "json": {"grant_type": "password", "dr_session_token": "X"}, "auth": BASIC}),
    "JSON body labelled as a form": ("POST", "/oauth20/token", {
        "content": b'{"grant_type": "password"}', "headers": FORM, "auth": BASIC}),
    "text body": ("POST", "/oauth20/token", {
        "content": b"grant_type=password", "headers": {"Content-Type": "text/plain"},
        "auth": BASIC}),
    "XML body": ("POST", "/oauth20/token", {
        "content": b"<grant_type>password</grant_type>",
        "headers": {"Content-Type": "application/xml"}, "auth": BASIC}),
    "multipart body": ("POST", "/oauth20/token", {
        "files": {"grant_type": ("g", b"password")}, "auth": BASIC}),
    "body without content type": ("POST", "/oauth20/token", {
        "content": b"grant_type=password", "auth": BASIC}),
    "duplicated grant type": ("POST", "/oauth20/token", {
        "content": b"grant_type=password&grant_type=refresh_token", "headers": FORM,
        "auth": BASIC}),
    "duplicated session token": ("POST", "/oauth20/token", {
        "content": b"grant_type=password&dr_session_token=A&dr_session_token=B",
        "headers": FORM, "auth": BASIC}),
    "duplicated query parameter": ("POST", "/oauth20/token?grant_type=a&grant_type=b", {
        "auth": BASIC}),
    "bad escape in query": ("POST", "/oauth20/token?grant_type=%G0", {"auth": BASIC}),
    "empty Basic": ("POST", "/oauth20/token", {
        "data": {"grant_type": "password"}, "headers": {"Authorization": "Basic"}}),
    "bad base64 Basic": ("POST", "/oauth20/token", {
        "data": {"grant_type": "password"}, "headers": {"Authorization": "Basic ***"}}),
    "Basic with padding only": ("POST", "/oauth20/token", {
        "data": {"grant_type": "password"}, "headers": {"Authorization": "Basic ===="}}),
    "unknown scheme": ("POST", "/oauth20/token", {
        "data": {"grant_type": "password"}, "headers": {"Authorization": "Digest x=1"}}),
    "site action bad escape": ("GET", "/store/drsite/SessionToken?format=%x", {}),
    "site action non-UTF-8": ("GET", "/store/drsite/SessionToken?apiKey=%ff", {}),
    "site action duplicated apiKey": (
        "GET", "/store/drsite/SessionToken?apiKey=a&apiKey=b", {}),
    "site action encoded slash in site": ("GET", "/store/dr%2Fsite/SessionToken", {}),
    "site action escaped NUL site": ("GET", "/store/%00/SessionToken", {}),
    "shopper token non-UTF-8": ("GET", "/v1/shoppers/token?apiKey=%c3%28", {}),
    "shopper token duplicated apiKey": ("GET", "/v1/shoppers/token?apiKey=a&apiKey=a", {}),
    "info bad escape": ("GET", "/oauth20/access-tokens?token=%", {}),
    "info duplicated token": ("GET", "/oauth20/access-tokens?token=a&token=b", {}),
    "info 1 MB token in a DELETE body": ("DELETE", "/oauth20/access-tokens", {
        "content": MEGABYTE.encode(), "headers": FORM}),
    "info bearer without token": ("GET", "/oauth20/access-tokens", {
        "headers": {"Authorization": "Bearer"}}),
}


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_gets_a_4xx(server: ReferenceServer, http: httpx.Client,
                                    case: tuple[str, str, dict[str, Any]]) -> None:
    method, path, kwargs = case
    before = server.app.unexpected_errors

    response = http.request(method, path, **kwargs)

    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.text
    assert server.app.unexpected_errors == before


def _control_cases() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every parameter of every endpoint, carrying a control character, where it matters."""
    cases: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for char in CONTROL_CHARACTERS:
        tag = f"U+{ord(char):04X}"
        token_forms: dict[str, dict[str, str]] = {
            "grant_type": {"grant_type": f"password{char}"},
            "dr_session_token": {"grant_type": "password", "dr_session_token": f"AB{char}CD"},
            "refresh_token": {"grant_type": "refresh_token", "refresh_token": f"ab{char}"},
            "username": {"grant_type": "password", "username": f"a{char}", "password": "x"},
            "password": {"grant_type": "password", "password": f"x{char}"},
            "dr_external_reference_id": {"grant_type": "client_credentials",
                                         "dr_external_reference_id": f"p{char}"},
            "format": {"grant_type": "password", "format": f"json{char}"},
            "client_secret": {"grant_type": "password", "client_secret": f"s{char}"},
        }
        for name, data in token_forms.items():
            cases[f"token {name} {tag}"] = ("POST", "/oauth20/token",
                                            {"data": data, "auth": BASIC})
        cases[f"token client_id {tag}"] = ("POST", "/oauth20/token", {
            "data": {"grant_type": "password", "client_id": f"pk{char}"}})
        cases[f"token Basic user {tag}"] = ("POST", "/oauth20/token", {
            "data": {"grant_type": "password"}, "auth": (f"reference-client{char}", "x")})
        for name in ("apiKey", "format", "callback"):
            cases[f"site action {name} {tag}"] = (
                "GET", "/store/drsite/SessionToken", {"params": {name: f"v{char}"}})
        cases[f"site action siteId {tag}"] = (
            "GET", f"/store/dr{quote(char)}site/SessionToken", {})
        for name in ("apiKey", "session_token", "sessionToken", "callback", "format"):
            params = {"apiKey": "pk-reference-public-key", name: f"v{char}"}
            cases[f"shopper token {name} {tag}"] = ("GET", "/v1/shoppers/token",
                                                    {"params": params})
        for method in ("GET", "DELETE"):
            cases[f"info {method} token {tag}"] = (method, "/oauth20/access-tokens",
                                                   {"params": {"token": f"t{char}"}})
    return cases


CONTROL_CASES = _control_cases()


@pytest.mark.parametrize("case", CONTROL_CASES.values(), ids=CONTROL_CASES.keys())
def test_control_characters_get_a_4xx(server: ReferenceServer, http: httpx.Client,
                                      case: tuple[str, str, dict[str, Any]]) -> None:
    method, path, kwargs = case

    response = http.request(method, path, **kwargs)

    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert server.app.unexpected_errors == 0


def test_tolerated_parameters_with_control_characters(http: httpx.Client) -> None:
    response = http.get("/store/drsite/SessionToken",
                        params={"format": "json", "locale": "en\x00us", "_": "\x1b"})

    assert response.status_code == 200


BASIC_HEADER = b"Authorization: Basic cmVmZXJlbmNlLWNsaWVudDpyZWZlcmVuY2Utc2VjcmV0\r\n"
RAW_REQUESTS = {
    "1 MB query string": b"GET /store/drsite/SessionToken?x=" + MEGABYTE.encode()
                         + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "1 MB header": b"GET /oauth20/access-tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                   + MEGABYTE.encode() + b"\r\n\r\n",
    "raw non-ASCII in query": b"GET /oauth20/access-tokens?token=\xff\xfe HTTP/1.1\r\n"
                              b"Host: x\r\n\r\n",
    "obs-text in Authorization": b"GET /oauth20/access-tokens HTTP/1.1\r\nHost: x\r\n"
                                 b"Authorization: Bearer \xff\xfe\r\n\r\n",
    "obs-text in Basic": b"POST /oauth20/token HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                         b"Authorization: Basic \xe9\xe9\r\n\r\n",
    "broken Host": b"GET /store/%ff/SessionToken HTTP/1.1\r\nHost: [::1\r\n\r\n",
    "not HTTP": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
}


@pytest.mark.parametrize("raw", RAW_REQUESTS.values(), ids=RAW_REQUESTS.keys())
def test_raw_requests_never_get_a_5xx(server: ReferenceServer, raw: bytes) -> None:
    before = server.app.unexpected_errors

    status = _raw_status(server.port, raw)

    assert status is not None and 400 <= status < 500, status
    assert server.app.unexpected_errors == before


def test_client_leaving_mid_body_is_not_a_crash(server: ReferenceServer) -> None:
    before = server.app.unexpected_errors
    raw = (b"POST /oauth20/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
           b"Content-Type: application/x-www-form-urlencoded\r\n" + BASIC_HEADER
           + b"\r\ngrant_type=pass")

    status = _raw_status(server.port, raw, half_close=True)

    assert status is None or 400 <= status < 500
    time.sleep(0.2)  # the server notices the disconnect on its own thread
    assert server.app.unexpected_errors == before


def _raw_status(port: int, raw: bytes, half_close: bool = False) -> int | None:
    """The status a raw request gets, or None when the server just closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data.split(b" ", 2)[1])


def test_no_request_reached_the_last_resort(server: ReferenceServer) -> None:
    """The whole malformed battery above ran against this module's server."""
    assert server.app.unexpected_errors == 0


# --- many clients at once -----------------------------------------------------------------


def test_concurrent_exchanges_all_get_new_sessions(server: ReferenceServer) -> None:
    threads, per_thread = 8, 25
    session_ids: list[str] = []
    access_tokens: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        with httpx.Client(base_url=server.base_url, verify=False, timeout=10) as http:
            flows = Flows(http, server.config)
            for _ in range(per_thread):
                try:
                    issued = flows.exchange()
                    session_id = flows.session_id(issued["access_token"])
                except AssertionError as exc:
                    with lock:
                        failures.append(str(exc))
                    continue
                with lock:
                    session_ids.append(session_id)
                    access_tokens.append(issued["access_token"])

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert failures == []
    assert len(session_ids) == threads * per_thread
    assert len(set(session_ids)) == threads * per_thread
    assert len(set(access_tokens)) == threads * per_thread


# --- bounded memory -----------------------------------------------------------------------


def test_expired_records_are_evicted(start_reference: Start) -> None:
    clock = ManualClock()
    server, flows = start_reference(ReferenceConfig(session_ttl=60), clock)
    for _ in range(20):
        flows.exchange()
    counts = server.state.counts()
    assert (counts.storefront_sessions, counts.shopper_sessions) == (20, 20)
    assert (counts.access_tokens, counts.refresh_tokens) == (20, 20)

    clock.advance(61)
    flows.exchange()

    after = server.state.counts()
    assert (after.storefront_sessions, after.shopper_sessions) == (1, 1)
    assert (after.access_tokens, after.refresh_tokens) == (1, 1)


def test_capacity_evicts_the_oldest(start_reference: Start) -> None:
    server, flows = start_reference(ReferenceConfig(capacity=10), ManualClock())
    session_tokens = [flows.session_token() for _ in range(25)]

    assert server.state.counts().storefront_sessions == 10
    assert flows.exchange_response(session_tokens[0]).status_code == 400
    assert flows.exchange_response(session_tokens[-1]).status_code == 200
    tokens = [flows.exchange()["access_token"] for _ in range(15)]
    counts = server.state.counts()
    assert max(counts.shopper_sessions, counts.access_tokens, counts.refresh_tokens) <= 10
    assert flows.info_response(tokens[-1]).status_code == 200
    assert flows.info_response(tokens[0]).status_code == 401


def test_sweep_drops_everything_expired(start_reference: Start) -> None:
    clock = ManualClock()
    server, flows = start_reference(ReferenceConfig(session_ttl=60), clock)
    for _ in range(5):
        flows.exchange()
    clock.advance(60)

    server.state.sweep()

    assert server.state.counts().shopper_sessions == 0
    assert server.state.counts().access_tokens == 0
