"""The token object, session token and JSONP checks against mocked answers."""

from __future__ import annotations

import httpx
import pytest
import respx

from conformance.checks import jsonp, session_token, token_object
from conformance.checks.common import refused
from conformance.client import FlowClient
from conformance.findings import Outcome

TOKEN = {"access_token": "a" * 40, "token_type": "bearer", "expires_in": 86397,
         "refresh_token": "r" * 40}
SESSION_PATH = "/store/site1/SessionToken"


def _token_answer(mocked: respx.MockRouter, body: object, **headers: str) -> None:
    mocked.post("/oauth20/token").mock(return_value=httpx.Response(200, json=body,
                                                                   headers=headers))


@pytest.mark.parametrize(("body", "outcome"), [
    (TOKEN, Outcome.PASSED),
    ({"token": TOKEN}, Outcome.PASSED),
    ({**TOKEN, "expires_in": "86397"}, Outcome.PASSED),
    ({k: v for k, v in TOKEN.items() if k != "refresh_token"}, Outcome.FAILED),
    ({**TOKEN, "expires_in": "soon"}, Outcome.FAILED),
    ({**TOKEN, "access_token": 12345}, Outcome.FAILED),
    ({"error": "invalid_grant"}, Outcome.FAILED),
])
def test_token_fields(mocked: respx.MockRouter, client: FlowClient, body: object,
                      outcome: Outcome) -> None:
    _token_answer(mocked, body)
    assert token_object.token_fields(client.exchange("S" * 32)).outcome is outcome


@pytest.mark.parametrize(("token_type", "outcome"), [
    ("bearer", Outcome.PASSED), ("Bearer", Outcome.PASSED), ("BEARER", Outcome.PASSED),
    ("mac", Outcome.FAILED), (None, Outcome.FAILED),
])
def test_token_type_is_bearer_in_any_case(mocked: respx.MockRouter, client: FlowClient,
                                          token_type: str | None, outcome: Outcome) -> None:
    _token_answer(mocked, {**TOKEN, "token_type": token_type})
    assert token_object.token_type_bearer(client.exchange("S" * 32)).outcome is outcome


@pytest.mark.parametrize(("expires_in", "outcome"), [
    (86397, Outcome.PASSED), ("86397", Outcome.WARNING), (86397.0, Outcome.WARNING),
])
def test_string_expires_in_is_only_a_warning(mocked: respx.MockRouter, client: FlowClient,
                                             expires_in: object, outcome: Outcome) -> None:
    _token_answer(mocked, {**TOKEN, "expires_in": expires_in})
    assert token_object.expires_in_integer(client.exchange("S" * 32)).outcome is outcome


@pytest.mark.parametrize(("expires_in", "ttl", "outcome"), [
    (86400, 86400, Outcome.PASSED),
    (86397, 86400, Outcome.PASSED),
    ("86340", 86400, Outcome.PASSED),
    (86339, 86400, Outcome.FAILED),
    (86401, 86400, Outcome.FAILED),
    (3600, 86400, Outcome.FAILED),
    (86400000, 86400, Outcome.FAILED),
    (3600, None, Outcome.SKIPPED),
])
def test_ttl_agrees_with_the_site_timeout(mocked: respx.MockRouter, client: FlowClient,
                                          expires_in: object, ttl: int | None,
                                          outcome: Outcome) -> None:
    _token_answer(mocked, {**TOKEN, "expires_in": expires_in})
    finding = token_object.ttl_matches_site(client.exchange("S" * 32), ttl, 60)
    assert finding.outcome is outcome
    if outcome is Outcome.SKIPPED:
        assert "--session-ttl" in finding.observed


@pytest.mark.parametrize(("answer", "outcome"), [
    (httpx.Response(200, json={"session_token": "1A9C61A6B8B54BD7087A5AD8986A17FA"}),
     Outcome.PASSED),
    (httpx.Response(200, json={"sessionToken": "1A9C61A6B8B54BD7087A5AD8986A17FA"}),
     Outcome.FAILED),
    (httpx.Response(200, json={"session_token": ""}), Outcome.FAILED),
    (httpx.Response(500, json={"session_token": "X" * 32}), Outcome.FAILED),
    (httpx.Response(200, text="<session_token>ABC</session_token>"), Outcome.FAILED),
])
def test_session_token_issued(mocked: respx.MockRouter, client: FlowClient,
                              answer: httpx.Response, outcome: Outcome) -> None:
    mocked.get(SESSION_PATH).mock(return_value=answer)
    assert session_token.session_token_issued(client.session_token()).outcome is outcome


@pytest.mark.parametrize(("answer", "outcome"), [
    (httpx.Response(200, text="<session_token>ABCD</session_token>",
                    headers={"Content-Type": "application/xml"}), Outcome.PASSED),
    (httpx.Response(200, text="<token><session_token>ABCD</session_token></token>"),
     Outcome.PASSED),
    (httpx.Response(200, json={"session_token": "ABCD"}), Outcome.PASSED),
    (httpx.Response(200, text="session_token=ABCD"), Outcome.FAILED),
    (httpx.Response(200, text="<html><body>store</body></html>"), Outcome.FAILED),
])
def test_default_format_accepts_json_or_xml(mocked: respx.MockRouter, client: FlowClient,
                                            answer: httpx.Response, outcome: Outcome) -> None:
    mocked.get(SESSION_PATH).mock(return_value=answer)
    observation = client.session_token(format=None)
    assert session_token.default_format(observation).outcome is outcome


@pytest.mark.parametrize(("answer", "outcome"), [
    (httpx.Response(200, json=TOKEN), Outcome.PASSED),
    (httpx.Response(200, json={"token": TOKEN}), Outcome.PASSED),
    (httpx.Response(200, json={"session_token": "ABCD"}), Outcome.FAILED),
    (httpx.Response(401, json={"error": "invalid_client"}), Outcome.FAILED),
])
def test_one_call_token(mocked: respx.MockRouter, client: FlowClient, answer: httpx.Response,
                        outcome: Outcome) -> None:
    mocked.get(SESSION_PATH).mock(return_value=answer)
    observation = client.session_token(api_key="public-key-1")
    assert session_token.one_call_token(observation).outcome is outcome


@pytest.mark.parametrize(("answer", "outcome"), [
    (httpx.Response(401, json={"errors": {"error": {"code": "invalid-api-key"}}}),
     Outcome.PASSED),
    (httpx.Response(403, text="Forbidden"), Outcome.PASSED),
    (httpx.Response(200, json={"session_token": "ABCD1234"}), Outcome.FAILED),
    (httpx.Response(400, json={"session_token": "ABCD1234"}), Outcome.FAILED),
    (httpx.Response(500, text="oops"), Outcome.FAILED),
])
def test_refusal_is_a_4xx_without_a_token(mocked: respx.MockRouter, client: FlowClient,
                                          answer: httpx.Response, outcome: Outcome) -> None:
    mocked.get(SESSION_PATH).mock(return_value=answer)
    observation = client.session_token(api_key="nope")
    assert refused("ST-INVALID-API-KEY", observation, "a bad key").outcome is outcome


CALLBACK = "app.loaded"


@pytest.mark.parametrize(("body", "outcome"), [
    ('app.loaded({"session_token": "ABCD"});', Outcome.PASSED),
    ('/**/ app.loaded({"session_token": "ABCD"})', Outcome.PASSED),
    ('other({"session_token": "ABCD"});', Outcome.FAILED),
    ('{"session_token": "ABCD"}', Outcome.FAILED),
    ('app.loaded({"session_token": "ABCD"}); alert(1)', Outcome.FAILED),
])
def test_jsonp_wraps_json(mocked: respx.MockRouter, client: FlowClient, body: str,
                          outcome: Outcome) -> None:
    mocked.get(SESSION_PATH).mock(return_value=httpx.Response(
        200, text=body, headers={"Content-Type": "application/javascript"}))
    observation = client.session_token(callback=CALLBACK)
    assert jsonp.wraps_json(observation, CALLBACK).outcome is outcome


@pytest.mark.parametrize(("content_type", "outcome"), [
    ("application/javascript; charset=utf-8", Outcome.PASSED),
    ("text/javascript", Outcome.PASSED),
    ("application/json", Outcome.FAILED),
    ("text/html", Outcome.FAILED),
])
def test_jsonp_content_type(mocked: respx.MockRouter, client: FlowClient, content_type: str,
                            outcome: Outcome) -> None:
    mocked.get(SESSION_PATH).mock(return_value=httpx.Response(
        200, text='app.loaded({"session_token": "A"})', headers={"Content-Type": content_type}))
    observation = client.session_token(callback=CALLBACK)
    assert jsonp.javascript_content_type(observation).outcome is outcome


UNSAFE = "alert(document.domain)//"


@pytest.mark.parametrize(("answer", "outcome"), [
    (httpx.Response(400, json={"error": "invalid callback"}), Outcome.PASSED),
    (httpx.Response(200, json={"session_token": "ABCD"}), Outcome.PASSED),
    (httpx.Response(200, text='alertdocumentdomain({"session_token": "ABCD"})',
                    headers={"Content-Type": "application/javascript"}), Outcome.PASSED),
    (httpx.Response(200, text=UNSAFE + '({"session_token": "ABCD"})',
                    headers={"Content-Type": "application/javascript"}), Outcome.FAILED),
    (httpx.Response(200, text='cb({"session_token": "ABCD"}) // alert(document.domain)//',
                    headers={"Content-Type": "application/javascript"}), Outcome.FAILED),
    (httpx.Response(500, text="error"), Outcome.FAILED),
])
def test_unsafe_callback(mocked: respx.MockRouter, client: FlowClient, answer: httpx.Response,
                         outcome: Outcome) -> None:
    mocked.get(SESSION_PATH).mock(return_value=answer)
    observation = client.session_token(callback=UNSAFE)
    assert jsonp.callback_safe(observation, UNSAFE).outcome is outcome
