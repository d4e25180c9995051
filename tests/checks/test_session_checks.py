"""Exchange refusals, token information, the invariants and hygiene against mocked answers."""

from __future__ import annotations

import secrets

import httpx
import pytest
import respx

from conformance.checks import exchange, hygiene, refresh, token_info
from conformance.checks.invariants import Issuance, new_session_each_time
from conformance.client import FlowClient
from conformance.evidence import Observation, ObservedRequest, ObservedResponse
from conformance.findings import Outcome

INFO = {"sessionId": 63293199710, "userId": 495174262412, "authenticated": "false",
        "expiresIn": 84156, "locale": "en_US"}


@pytest.mark.parametrize(("answer", "outcome"), [
    (httpx.Response(401, json={"error": "invalid_client"}), Outcome.PASSED),
    (httpx.Response(400, json={"error": "invalid_client"}), Outcome.FAILED),
    (httpx.Response(401, json={"error": "invalid_request"}), Outcome.FAILED),
    # Without an OAuth error member the code is EX-ERROR-OBJECT's to judge, not this check's.
    (httpx.Response(401, json={"errors": {"error": [{"code": "invalid_client"}]}}),
     Outcome.PASSED),
    (httpx.Response(401, json={"error": "invalid_client", "access_token": "x" * 20}),
     Outcome.FAILED),
    (httpx.Response(200, json={"access_token": "x" * 20}), Outcome.FAILED),
])
def test_invalid_client(mocked: respx.MockRouter, client: FlowClient, answer: httpx.Response,
                        outcome: Outcome) -> None:
    mocked.post("/oauth20/token").mock(return_value=answer)
    finding = exchange.invalid_client("EX-BAD-SECRET", client.exchange("S" * 32), "bad secret")
    assert finding.outcome is outcome


@pytest.mark.parametrize(("answer", "outcome"), [
    (httpx.Response(400, json={"error": "invalid_grant", "error_description": "x"}),
     Outcome.PASSED),
    (httpx.Response(400, json={"message": "bad"}), Outcome.FAILED),
    (httpx.Response(400, json={"error": ""}), Outcome.FAILED),
    (httpx.Response(400, text="error=invalid_grant"), Outcome.FAILED),
])
def test_oauth_error_object(mocked: respx.MockRouter, client: FlowClient,
                            answer: httpx.Response, outcome: Outcome) -> None:
    mocked.post("/oauth20/token").mock(return_value=answer)
    assert exchange.oauth_error_object(client.exchange("S" * 32)).outcome is outcome


@pytest.mark.parametrize(("content_type", "outcome"), [
    ("application/json;charset=UTF-8", Outcome.PASSED),
    ("text/plain", Outcome.WARNING),
])
def test_error_content_type_is_a_should(mocked: respx.MockRouter, client: FlowClient,
                                        content_type: str, outcome: Outcome) -> None:
    mocked.post("/oauth20/token").mock(return_value=httpx.Response(
        400, text='{"error": "invalid_grant"}', headers={"Content-Type": content_type}))
    assert hygiene.error_content_type(client.exchange("S" * 32)).outcome is outcome


def _info(mocked: respx.MockRouter, client: FlowClient, body: object,
          status: int = 200) -> Observation:
    mocked.get("/oauth20/access-tokens").mock(return_value=httpx.Response(status, json=body))
    return client.token_information("a" * 40)


@pytest.mark.parametrize(("body", "outcome"), [
    (INFO, Outcome.PASSED),
    ({**INFO, "sessionId": "abc123"}, Outcome.PASSED),
    ({k: v for k, v in INFO.items() if k != "sessionId"}, Outcome.FAILED),
    ({**INFO, "expiresIn": "84156"}, Outcome.FAILED),
    ({k: v for k, v in INFO.items() if k != "authenticated"}, Outcome.FAILED),
    ([INFO], Outcome.FAILED),
])
def test_token_information_fields(mocked: respx.MockRouter, client: FlowClient, body: object,
                                  outcome: Outcome) -> None:
    assert token_info.fields(_info(mocked, client, body)).outcome is outcome


@pytest.mark.parametrize(("authenticated", "outcome"), [
    ("false", Outcome.PASSED), (False, Outcome.PASSED), ("FALSE", Outcome.PASSED),
    ("true", Outcome.FAILED), (True, Outcome.FAILED), (None, Outcome.FAILED),
])
def test_anonymous_token_is_not_authenticated(mocked: respx.MockRouter, client: FlowClient,
                                              authenticated: object, outcome: Outcome) -> None:
    observation = _info(mocked, client, {**INFO, "authenticated": authenticated})
    assert token_info.anonymous(observation).outcome is outcome


@pytest.mark.parametrize(("reported", "outcome"), [
    (84156, Outcome.PASSED), (86397, Outcome.PASSED), (86398, Outcome.FAILED),
])
def test_expires_in_never_above_what_was_issued(mocked: respx.MockRouter, client: FlowClient,
                                                reported: int, outcome: Outcome) -> None:
    observation = _info(mocked, client, {**INFO, "expiresIn": reported})
    assert token_info.expires_bounded(86397, observation, observation).outcome is outcome


@pytest.mark.parametrize(("first", "second", "waited", "outcome"), [
    (86000, 85970, 30.0, Outcome.PASSED),
    (86000, 85971, 30.0, Outcome.PASSED),
    (86000, 85972, 30.0, Outcome.FAILED),
    (86000, 85998, 2.0, Outcome.PASSED),
    (86000, 86000, 2.0, Outcome.FAILED),
    (86000, 86010, 2.0, Outcome.FAILED),
])
def test_expires_in_falls(mocked: respx.MockRouter, client: FlowClient, first: int,
                          second: int, waited: float, outcome: Outcome) -> None:
    route = mocked.get("/oauth20/access-tokens")
    route.side_effect = [httpx.Response(200, json={**INFO, "expiresIn": value})
                         for value in (first, second)]
    before, after = client.token_information("a" * 40), client.token_information("a" * 40)
    assert token_info.expires_falls(before, after, waited).outcome is outcome


@pytest.mark.parametrize(("delete_status", "after_statuses", "outcome"), [
    (200, (401, 401), Outcome.PASSED),
    (204, (401, 401), Outcome.PASSED),
    (200, (200, 401), Outcome.FAILED),
    (200, (401, 200), Outcome.FAILED),
    (200, (404, 401), Outcome.FAILED),
    (405, (401, 401), Outcome.FAILED),
])
def test_revocation(mocked: respx.MockRouter, client: FlowClient, delete_status: int,
                    after_statuses: tuple[int, int], outcome: Outcome) -> None:
    mocked.delete("/oauth20/access-tokens").mock(return_value=httpx.Response(delete_status,
                                                                            json=INFO))
    mocked.get("/oauth20/access-tokens").side_effect = [
        httpx.Response(status, json=INFO if status == 200 else {"error": "invalid_token"})
        for status in after_statuses]
    revocation = client.revoke("a" * 40)
    afterwards = [client.token_information("a" * 40),
                  client.token_information("a" * 40, as_bearer=True)]
    assert token_info.revoked(revocation, afterwards).outcome is outcome


def test_bearer_header_is_sent_and_judged(mocked: respx.MockRouter, client: FlowClient) -> None:
    route = mocked.get("/oauth20/access-tokens")
    route.side_effect = [httpx.Response(200, json=INFO),
                         httpx.Response(401, json={"error": "invalid_token"})]
    by_query = client.token_information("a" * 40)
    by_bearer = client.token_information("a" * 40, as_bearer=True)
    assert route.calls.last.request.headers["authorization"] == "Bearer " + "a" * 40
    assert token_info.bearer_accepted(by_query, by_bearer).outcome is Outcome.WARNING


def _issuance(label: str, session_id: str | None) -> Issuance:
    observation = Observation(ObservedRequest("POST", "https://t/oauth20/token"),
                              ObservedResponse(200))
    return Issuance(label, session_id, (observation,))


def test_new_session_each_time() -> None:
    distinct = [_issuance(f"exchange {n}", f"s{n}") for n in range(4)]
    assert new_session_each_time("EX-NEW-SESSION", distinct).outcome is Outcome.PASSED

    repeated = [*distinct, _issuance("repeat of exchange 0", "s0")]
    finding = new_session_each_time("EX-NEW-SESSION", repeated)
    assert finding.outcome is Outcome.FAILED
    assert "repeat of exchange 0 got the session of exchange 0" in finding.observed

    refused_repeat = [*distinct, _issuance("refused repeat", None)]
    assert new_session_each_time("EX-NEW-SESSION", refused_repeat).outcome is Outcome.PASSED

    unknown = [_issuance("a", None), _issuance("b", None)]
    assert new_session_each_time("SH-NEW-SESSION", unknown).outcome is Outcome.SKIPPED


def test_refresh_must_hand_out_a_new_access_token(mocked: respx.MockRouter,
                                                  client: FlowClient) -> None:
    old = "a" * 40
    mocked.post("/oauth20/token").side_effect = [
        httpx.Response(200, json={"access_token": "b" * 40, "refresh_token": "r" * 40}),
        httpx.Response(200, json={"access_token": old, "refresh_token": "r" * 40}),
    ]
    assert refresh.refreshed(old, client.refresh("r" * 40)).outcome is Outcome.PASSED
    assert refresh.refreshed(old, client.refresh("r" * 40)).outcome is Outcome.FAILED


def test_no_server_error_names_the_failing_request(mocked: respx.MockRouter,
                                                   client: FlowClient) -> None:
    mocked.post("/oauth20/token").side_effect = [httpx.Response(400, json={"error": "x"}),
                                                 httpx.Response(502, text="bad gateway")]
    observations = [client.exchange("S" * 32, label="first"),
                    client.exchange("\x01", label="control character")]
    finding = hygiene.no_server_error(observations)
    assert finding.outcome is Outcome.FAILED
    assert "control character" in finding.observed
    assert hygiene.no_server_error(observations[:1]).outcome is Outcome.PASSED


@pytest.mark.parametrize(("cache_control", "outcome"), [
    ("no-store", Outcome.PASSED), ("no-cache, no-store", Outcome.PASSED),
    ("no-cache", Outcome.WARNING), (None, Outcome.WARNING),
])
def test_no_store_is_a_should(mocked: respx.MockRouter, client: FlowClient,
                              cache_control: str | None, outcome: Outcome) -> None:
    headers = {"Cache-Control": cache_control} if cache_control else {}
    mocked.post("/oauth20/token").mock(return_value=httpx.Response(
        200, json={"access_token": "a" * 40}, headers=headers))
    assert hygiene.no_store(client.exchange("S" * 32)).outcome is outcome


def _hex(bits: int) -> str:
    return secrets.token_hex(bits // 8)


@pytest.mark.parametrize(("tokens", "must", "should"), [
    ([_hex(128).upper() for _ in range(12)], Outcome.PASSED, Outcome.PASSED),
    ([_hex(512) + "f00d" * 8 for _ in range(12)], Outcome.PASSED, Outcome.PASSED),
    (["ab" * 32 + _hex(256) for _ in range(12)], Outcome.PASSED, Outcome.PASSED),
    ([_hex(80) for _ in range(12)], Outcome.PASSED, Outcome.WARNING),
    ([_hex(40) for _ in range(12)], Outcome.FAILED, Outcome.WARNING),
    (["e" * 150 + f"{n:010d}" for n in range(12)], Outcome.FAILED, Outcome.WARNING),
    ([f"{1_700_000_000 + n:x}" + "c" * 40 for n in range(12)], Outcome.FAILED, Outcome.WARNING),
    ([_hex(128) for _ in range(3)], Outcome.SKIPPED, Outcome.SKIPPED),
])
def test_token_unpredictability_and_entropy(tokens: list[str], must: Outcome,
                                            should: Outcome) -> None:
    assert hygiene.unpredictable("access token", tokens).outcome is must
    assert hygiene.entropy("access token", tokens).outcome is should


def test_tokens_unique() -> None:
    assert hygiene.tokens_unique("session token", ["a", "b", "c"]).outcome is Outcome.PASSED
    assert hygiene.tokens_unique("session token", ["a", "b", "a"]).outcome is Outcome.FAILED
