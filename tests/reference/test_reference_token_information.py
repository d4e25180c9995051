"""Token information and revocation, ``GET`` and ``DELETE /oauth20/access-tokens``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime

import httpx
import pytest
from reference_helpers import Flows, oauth_error

INFO_FIELDS = {"sessionId", "userId", "externalReferenceId", "authenticated", "locale",
               "currency", "cartId", "clientIpAddress", "domain", "expiresIn", "themeId",
               "sessionTag", "createdOn", "lastAccessed"}


def test_information_fields(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    response = flows.info_response(token)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    info = response.json()
    assert set(info) == INFO_FIELDS
    assert isinstance(info["sessionId"], str) and info["sessionId"].isdigit()
    assert info["authenticated"] == "false"
    assert info["userId"] is None and info["externalReferenceId"] is None
    assert info["locale"] == "en_US" and info["currency"] == "USD"
    assert info["clientIpAddress"] == "127.0.0.1"
    assert info["domain"] == "127.0.0.1"
    assert isinstance(info["expiresIn"], int)
    assert flows.config.session_ttl - 2 <= info["expiresIn"] <= flows.config.session_ttl
    assert re.fullmatch(r"[0-9a-f]{32}", info["sessionTag"])
    for field in ("createdOn", "lastAccessed"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", info[field])
        datetime.fromisoformat(info[field].replace("Z", "+00:00"))


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_token_as_bearer_header(flows: Flows, scheme: str) -> None:
    token = flows.exchange()["access_token"]
    by_query = flows.info(token)
    response = flows.http.get("/oauth20/access-tokens",
                              headers={"Authorization": f"{scheme} {token}"})

    assert response.status_code == 200
    assert response.json()["sessionId"] == by_query["sessionId"]


def test_same_token_both_ways(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    response = flows.http.get("/oauth20/access-tokens", params={"token": token},
                              headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200


def test_two_different_tokens_are_refused(flows: Flows) -> None:
    first, second = flows.exchange()["access_token"], flows.exchange()["access_token"]
    response = flows.http.get("/oauth20/access-tokens", params={"token": first},
                              headers={"Authorization": f"Bearer {second}"})

    assert response.status_code == 400
    assert oauth_error(response) == "invalid_request"


def test_json_suffix(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    response = flows.http.get("/oauth20/access-tokens.json", params={"token": token,
                                                                     "format": "json"})

    assert response.status_code == 200


@pytest.mark.parametrize("token", ["", "unknown", "0" * 160, "a" * 5000])
def test_unknown_token_gets_401(http: httpx.Client, token: str) -> None:
    response = http.get("/oauth20/access-tokens", params={"token": token})

    _assert_invalid_token(response)


def test_missing_token_gets_401(http: httpx.Client) -> None:
    _assert_invalid_token(http.get("/oauth20/access-tokens"))


def test_basic_credentials_are_not_a_token(flows: Flows) -> None:
    _assert_invalid_token(flows.http.get("/oauth20/access-tokens", auth=flows.basic))


def test_refresh_token_is_not_an_access_token(flows: Flows) -> None:
    _assert_invalid_token(flows.info_response(flows.exchange()["refresh_token"]))


def test_delete_revokes_that_token_only(flows: Flows) -> None:
    session_token = flows.session_token()
    revoked, kept = flows.exchange(session_token), flows.exchange(session_token)
    before = flows.info(revoked["access_token"])

    deleted = flows.info_response(revoked["access_token"], method="DELETE")

    assert deleted.status_code == 200
    assert deleted.json()["sessionId"] == before["sessionId"]
    _assert_invalid_token(flows.info_response(revoked["access_token"]))
    _assert_invalid_token(flows.http.get(
        "/oauth20/access-tokens", headers={"Authorization": f"Bearer {revoked['access_token']}"}))
    assert flows.info_response(kept["access_token"]).status_code == 200


def test_second_delete_gets_401(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    assert flows.info_response(token, method="DELETE").status_code == 200

    _assert_invalid_token(flows.info_response(token, method="DELETE"))


def test_revoking_keeps_the_refresh_token(flows: Flows) -> None:
    issued = flows.exchange()
    flows.info_response(issued["access_token"], method="DELETE")

    refreshed = flows.refresh_response(issued["refresh_token"])

    assert refreshed.status_code == 200
    assert flows.info_response(refreshed.json()["access_token"]).status_code == 200


def test_delete_with_bearer(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    response = flows.http.delete("/oauth20/access-tokens",
                                 headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    _assert_invalid_token(flows.info_response(token))


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_other_methods_get_405(http: httpx.Client, method: str) -> None:
    response = http.request(method, "/oauth20/access-tokens")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, DELETE"


def test_singular_path_is_not_served(flows: Flows) -> None:
    token = flows.exchange()["access_token"]

    assert flows.http.get("/oauth20/access-token", params={"token": token}).status_code == 404


def _assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_token", "error_description": "Invalid Token"}
    assert "invalid_token" in response.headers["www-authenticate"]


def test_xml_when_asked(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    by_format = flows.http.get("/oauth20/access-tokens", params={"token": token,
                                                                 "format": "xml"})
    by_accept = flows.http.get("/oauth20/access-tokens", params={"token": token},
                               headers={"Accept": "application/xml"})

    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/xml"
        root = ElementTree.fromstring(response.text)
        fields = {child.tag: child.text for child in root}
        assert set(fields) == INFO_FIELDS
        assert fields["authenticated"] == "false" and fields["cartId"] is None


@pytest.mark.parametrize("value", ["yaml", "", "jsonp"])
def test_unknown_format_is_refused(flows: Flows, value: str) -> None:
    token = flows.exchange()["access_token"]
    response = flows.http.get("/oauth20/access-tokens", params={"token": token,
                                                                "format": value})

    assert response.status_code == 400
    assert oauth_error(response) == "invalid_request"
    assert flows.info_response(token).status_code == 200


def test_a_dead_token_gets_401_before_any_other_complaint(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    flows.info_response(token, method="DELETE")

    for method in ("GET", "DELETE"):
        response = flows.http.request(method, "/oauth20/access-tokens",
                                      params={"token": token, "format": "\x00"})
        _assert_invalid_token(response)


def test_delete_with_a_bad_format_does_not_revoke(flows: Flows) -> None:
    token = flows.exchange()["access_token"]
    response = flows.http.delete("/oauth20/access-tokens", params={"token": token,
                                                                   "format": "yaml"})

    assert response.status_code == 400
    assert flows.info_response(token).status_code == 200
