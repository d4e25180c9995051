"""Lifetimes: the site session timeout, the clock, refresh and expiry."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from reference_helpers import Flows, oauth_error

from conformance.reference.clock import ManualClock, MovableClock
from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer

Start = Callable[..., tuple[ReferenceServer, Flows]]
TTL = 600


@pytest.fixture
def manual(start_reference: Start) -> tuple[ManualClock, Flows]:
    clock = ManualClock()
    _, flows = start_reference(ReferenceConfig(session_ttl=TTL), clock)
    return clock, flows


def test_expires_in_falls_by_exactly_the_time_passed(manual: tuple[ManualClock, Flows]) -> None:
    clock, flows = manual
    token = flows.exchange()["access_token"]
    assert flows.info(token)["expiresIn"] == TTL

    clock.advance(123.4)

    assert flows.info(token)["expiresIn"] == TTL - 124  # whole seconds left, rounded down


def test_tokens_are_refused_everywhere_after_the_session_expires(
        manual: tuple[ManualClock, Flows]) -> None:
    clock, flows = manual
    issued = flows.exchange()
    clock.advance(TTL - 1)
    assert flows.info(issued["access_token"])["expiresIn"] == 1

    clock.advance(1)

    assert flows.info_response(issued["access_token"]).status_code == 401
    assert flows.info_response(issued["access_token"], method="DELETE").status_code == 401
    refreshed = flows.refresh_response(issued["refresh_token"])
    assert refreshed.status_code == 400 and oauth_error(refreshed) == "invalid_grant"


def test_session_token_expires_with_the_site_timeout(manual: tuple[ManualClock, Flows]) -> None:
    clock, flows = manual
    session_token = flows.session_token()
    clock.advance(TTL - 1)
    assert flows.exchange_response(session_token).status_code == 200

    clock.advance(1)

    expired = flows.exchange_response(session_token)
    assert expired.status_code == 400 and oauth_error(expired) == "invalid_grant"
    assert flows.shopper_token_response(session_token=session_token).status_code == 400


def test_refresh_rotates_and_extends_the_session(manual: tuple[ManualClock, Flows]) -> None:
    clock, flows = manual
    first = flows.exchange()
    session_id = flows.session_id(first["access_token"])
    clock.advance(500)

    response = flows.refresh_response(first["refresh_token"])

    assert response.status_code == 200
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["refresh_token"][:64] == second["access_token"][:64]
    assert second["expires_in"] == TTL
    assert flows.session_id(second["access_token"]) == session_id
    # The old refresh token is spent; the old access token lives as long as the session.
    reused = flows.refresh_response(first["refresh_token"])
    assert reused.status_code == 400 and oauth_error(reused) == "invalid_grant"
    assert flows.info(first["access_token"])["expiresIn"] == TTL
    clock.advance(TTL - 1)
    assert flows.info(first["access_token"])["expiresIn"] == 1
    clock.advance(1)
    assert flows.info_response(first["access_token"]).status_code == 401
    assert flows.info_response(second["access_token"]).status_code == 401


def test_refresh_with_the_public_key(manual: tuple[ManualClock, Flows]) -> None:
    _, flows = manual
    issued = flows.one_call_token()

    response = flows.token_request({"grant_type": "refresh_token",
                                    "refresh_token": issued["refresh_token"],
                                    "client_id": flows.config.api_key}, use_default_auth=False)

    assert response.status_code == 200


@pytest.mark.parametrize("refresh_token", ["", None])
def test_refresh_without_a_refresh_token(manual: tuple[ManualClock, Flows],
                                         refresh_token: str | None) -> None:
    _, flows = manual
    data = {"grant_type": "refresh_token"}
    if refresh_token is not None:
        data["refresh_token"] = refresh_token

    response = flows.token_request(data)

    assert response.status_code == 400 and oauth_error(response) == "invalid_request"


def test_forged_refresh_token(manual: tuple[ManualClock, Flows]) -> None:
    _, flows = manual
    real = flows.exchange()["refresh_token"]
    forged = real[:-1] + ("0" if real[-1] != "0" else "1")

    response = flows.refresh_response(forged)

    assert response.status_code == 400 and oauth_error(response) == "invalid_grant"


def test_refresh_needs_the_client(manual: tuple[ManualClock, Flows]) -> None:
    _, flows = manual
    issued = flows.exchange()

    response = flows.token_request({"grant_type": "refresh_token",
                                    "refresh_token": issued["refresh_token"]},
                                   auth=(flows.config.client_id, "wrong"))

    assert response.status_code == 401
    assert flows.refresh_response(issued["refresh_token"]).status_code == 200


def test_served_clock_is_movable_and_real(server: ReferenceServer, flows: Flows) -> None:
    """The shared server's MovableClock: real seconds and moves both count."""
    assert isinstance(server.clock, MovableClock)
    token = flows.exchange()["access_token"]
    first = flows.info(token)["expiresIn"]
    time.sleep(1.05)
    waited = flows.info(token)["expiresIn"]
    # Moving the clock of a shared server: stay far below the session timeout.
    server.clock.advance(100)
    moved = flows.info(token)["expiresIn"]

    assert first - waited in (1, 2)
    assert waited - moved in (100, 101)


def test_clocks_refuse_to_go_back() -> None:
    with pytest.raises(ValueError):
        ManualClock().advance(-1)
    with pytest.raises(ValueError):
        MovableClock().advance(-0.5)
