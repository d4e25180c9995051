"""The legacy Shopper API route ``GET /v1/shoppers/token``."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import httpx
import pytest
from reference_helpers import Flows, carries_token, commerce_error_code


def test_anonymous_shopper_token(flows: Flows) -> None:
    response = flows.shopper_token_response()

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["expires_in"] == flows.config.session_ttl
    assert flows.info(body["access_token"])["authenticated"] == "false"


@pytest.mark.parametrize("name", ["session_token", "sessionToken"])
def test_session_aware_shopper_token_opens_a_new_session(flows: Flows, name: str) -> None:
    session_token = flows.session_token()
    exchanged = flows.exchange(session_token)
    first = flows.shopper_token_response(**{name: session_token}).json()
    second = flows.shopper_token_response(**{name: session_token}).json()

    session_ids = {flows.session_id(t["access_token"]) for t in (exchanged, first, second)}
    assert len(session_ids) == 3


def test_both_session_token_names_with_one_value(flows: Flows) -> None:
    session_token = flows.session_token()
    response = flows.shopper_token_response(session_token=session_token,
                                            sessionToken=session_token)

    assert response.status_code == 200


def test_both_session_token_names_disagreeing(flows: Flows) -> None:
    response = flows.shopper_token_response(session_token=flows.session_token(),
                                            sessionToken=flows.session_token())

    assert response.status_code == 400
    assert not carries_token(response)


@pytest.mark.parametrize("session_token", ["0123456789ABCDEF0123456789ABCDEF", "", "x"])
def test_unknown_session_token_is_refused(flows: Flows, session_token: str) -> None:
    response = flows.shopper_token_response(session_token=session_token)

    assert response.status_code == 400
    assert commerce_error_code(response) == "invalid-session-token"
    assert not carries_token(response)


def test_missing_api_key(http: httpx.Client) -> None:
    response = http.get("/v1/shoppers/token", params={"format": "json"})

    assert response.status_code == 400
    assert commerce_error_code(response) == "missing-parameter"


@pytest.mark.parametrize("api_key", ["pk-unknown", "reference-client"])
def test_unknown_api_key(flows: Flows, api_key: str) -> None:
    response = flows.shopper_token_response(apiKey=api_key)

    assert response.status_code == 401
    assert commerce_error_code(response) == "invalid-api-key"
    assert not carries_token(response)


def test_xml_is_the_default(http: httpx.Client, flows: Flows) -> None:
    response = http.get("/v1/shoppers/token", params={"apiKey": flows.config.api_key})

    assert response.headers["content-type"] == "application/xml"
    assert ElementTree.fromstring(response.text).tag == "token"


def test_json_suffix(http: httpx.Client, flows: Flows) -> None:
    response = http.get("/v1/shoppers/token.json", params={"apiKey": flows.config.api_key})

    assert response.headers["content-type"] == "application/json"


def test_jsonp(flows: Flows) -> None:
    response = flows.shopper_token_response(callback="callback", method="get", ts="1")

    assert response.headers["content-type"] == "application/javascript"
    assert response.text.startswith('callback({"access_token":"')


def test_unsafe_callback(flows: Flows) -> None:
    response = flows.shopper_token_response(callback="alert(1)")

    assert response.status_code == 400
    assert not carries_token(response)


def test_post_gets_405(http: httpx.Client) -> None:
    response = http.post("/v1/shoppers/token")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
