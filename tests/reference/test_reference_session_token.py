"""The store's SessionToken site action, over HTTP."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import httpx
import pytest
from reference_helpers import Flows, carries_token, commerce_error_code

from conformance.reference.config import PublicKey, ReferenceConfig, Site

SESSION_TOKEN = re.compile(r"[0-9A-F]{32}")
ACCESS_TOKEN = re.compile(r"[0-9a-f]{160}")
REFRESH_TOKEN = re.compile(r"[0-9a-f]{176}")
PATH = "/store/drsite/SessionToken"


def test_json_session_token(http: httpx.Client) -> None:
    response = http.get(PATH, params={"format": "json"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"session_token"}
    assert SESSION_TOKEN.fullmatch(response.json()["session_token"])
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


def test_xml_is_the_default(http: httpx.Client) -> None:
    response = http.get(PATH)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    root = ElementTree.fromstring(response.text)
    assert root.tag == "session_token" and list(root) == []
    assert SESSION_TOKEN.fullmatch(root.text or "")
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("accept", ["application/json",
                                    "application/json, text/javascript, */*; q=0.01",
                                    "application/xml;q=0.5, application/json"])
def test_accept_header_asks_for_json(http: httpx.Client, accept: str) -> None:
    response = http.get(PATH, headers={"Accept": accept})

    assert response.headers["content-type"] == "application/json"
    assert "session_token" in response.json()


def test_format_xml_wins_over_a_json_accept_header(http: httpx.Client) -> None:
    response = http.get(PATH, params={"format": "xml"}, headers={"Accept": "application/json"})

    assert response.headers["content-type"] == "application/xml"


def test_format_is_case_insensitive(http: httpx.Client) -> None:
    assert http.get(PATH, params={"format": "JSON"}).headers["content-type"] == "application/json"


def test_unknown_format_is_refused(http: httpx.Client) -> None:
    response = http.get(PATH, params={"format": "yaml"})

    assert response.status_code == 400
    assert commerce_error_code(response) == "invalid-parameter"
    assert not carries_token(response)


def test_session_tokens_never_repeat(http: httpx.Client) -> None:
    tokens = {http.get(PATH, params={"format": "json"}).json()["session_token"]
              for _ in range(50)}

    assert len(tokens) == 50


def test_unknown_query_parameters_are_tolerated(http: httpx.Client) -> None:
    response = http.get(PATH, params={"format": "json", "locale": "en_us", "currency": "USD",
                                      "_": "1600000000000", "x-unknown": "1"})

    assert response.status_code == 200
    assert "session_token" in response.json()


def test_unknown_site_is_a_404_commerce_error(http: httpx.Client) -> None:
    response = http.get("/store/no-such-site/SessionToken", params={"format": "json"})

    assert response.status_code == 404
    assert commerce_error_code(response) == "not-found"
    assert not carries_token(response)


# --- one call with a public API key -----------------------------------------------------


def test_one_call_token_json(flows: Flows) -> None:
    body = flows.one_call_token()

    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert ACCESS_TOKEN.fullmatch(body["access_token"])
    assert REFRESH_TOKEN.fullmatch(body["refresh_token"])
    assert body["refresh_token"][:64] == body["access_token"][:64]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == flows.config.session_ttl
    assert flows.info(body["access_token"])["authenticated"] == "false"


def test_one_call_token_xml(http: httpx.Client, flows: Flows) -> None:
    response = http.get(PATH, params={"apiKey": flows.config.api_key})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    assert response.headers["cache-control"] == "no-store"
    root = ElementTree.fromstring(response.text)
    assert root.tag == "token"
    fields = {child.tag: child.text for child in root}
    assert set(fields) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert fields["token_type"] == "bearer"
    assert fields["expires_in"] == str(flows.config.session_ttl)


def test_one_call_tokens_open_new_sessions(flows: Flows) -> None:
    first, second = flows.one_call_token(), flows.one_call_token()

    assert flows.session_id(first["access_token"]) != flows.session_id(second["access_token"])


@pytest.mark.parametrize("api_key", ["pk-unknown", "", "reference-client"])
def test_unknown_api_key_is_refused(http: httpx.Client, api_key: str) -> None:
    response = http.get(PATH, params={"apiKey": api_key, "format": "json"})

    assert response.status_code == 401
    assert commerce_error_code(response) == "invalid-api-key"
    assert not carries_token(response)


def test_api_key_of_another_site_is_refused(start_reference) -> None:  # type: ignore[no-untyped-def]
    config = ReferenceConfig(extra_sites=(Site("other", 600),),
                             extra_api_keys=(PublicKey("pk-other", "other"),))
    _, flows = start_reference(config)

    wrong_site = flows.http.get(PATH, params={"apiKey": "pk-other", "format": "json"})
    right_site = flows.http.get("/store/other/SessionToken",
                                params={"apiKey": "pk-other", "format": "json"})

    assert wrong_site.status_code == 401
    assert right_site.status_code == 200
    assert right_site.json()["expires_in"] == 600


# --- JSONP --------------------------------------------------------------------------------


@pytest.mark.parametrize("callback", ["cb", "jQuery36001234_1600000000000", "$", "_a.b$.c_1",
                                      "a" * 128])
def test_jsonp_wraps_the_json(http: httpx.Client, callback: str) -> None:
    response = http.get(PATH, params={"format": "json", "callback": callback})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/javascript"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    match = re.fullmatch(re.escape(callback) + r"\(\{\"session_token\":\"([0-9A-F]{32})\"\}\);",
                         response.text)
    assert match, response.text


def test_jsonp_of_the_one_call_token(http: httpx.Client, flows: Flows) -> None:
    response = http.get(PATH, params={"apiKey": flows.config.api_key, "format": "json",
                                      "callback": "done"})

    assert response.headers["content-type"] == "application/javascript"
    assert response.text.startswith('done({"access_token":"')
    assert response.text.endswith("});")


def test_callback_without_format_still_answers_jsonp(http: httpx.Client) -> None:
    response = http.get(PATH, params={"callback": "cb"})

    assert response.headers["content-type"] == "application/javascript"
    assert response.text.startswith('cb({"session_token":')


UNSAFE_CALLBACKS = [
    "", "alert(1)//", "x</script><script>alert(1)</script>", "a;b", "a=1,b", "function(){}",
    "cb\u2028x", "cb['x']", "1abc", "a..b", "a.", ".a", "a b", "a" * 129, "cb\x00",
]


@pytest.mark.parametrize("callback", UNSAFE_CALLBACKS)
def test_unsafe_callback_is_refused(http: httpx.Client, callback: str) -> None:
    response = http.get(PATH, params={"format": "json", "callback": callback})

    assert response.status_code == 400
    assert commerce_error_code(response) == "invalid-parameter"
    assert not carries_token(response)
    assert "alert" not in response.text


def test_callback_with_format_xml_is_refused(http: httpx.Client) -> None:
    response = http.get(PATH, params={"format": "xml", "callback": "cb"})

    assert response.status_code == 400


# --- methods ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_other_methods_get_405(http: httpx.Client, method: str) -> None:
    response = http.request(method, PATH)

    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    if method != "HEAD":
        assert commerce_error_code(response) == "method-not-allowed"
