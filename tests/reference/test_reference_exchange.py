"""The OAuth token endpoint: the exchange, the other grants, client authentication."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable

import httpx
import pytest
from reference_helpers import Flows, carries_token, oauth_error

from conformance.reference.clock import ManualClock
from conformance.reference.config import Client, PublicKey, ReferenceConfig, Site
from conformance.reference.server import ReferenceServer

Start = Callable[..., tuple[ReferenceServer, Flows]]


def test_exchange_answers_a_token_object(flows: Flows) -> None:
    response = flows.exchange_response(flows.session_token())

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == flows.config.session_ttl
    assert isinstance(body["expires_in"], int)


def test_expires_in_is_the_site_session_timeout(start_reference: Start) -> None:
    _, flows = start_reference(ReferenceConfig(session_ttl=1234), ManualClock())

    assert flows.exchange()["expires_in"] == 1234
    assert flows.one_call_token()["expires_in"] == 1234


def test_every_exchange_opens_a_new_session(flows: Flows) -> None:
    session_token = flows.session_token()
    first = flows.exchange(session_token)
    second = flows.exchange(session_token)
    other = flows.exchange()

    session_ids = {flows.session_id(t["access_token"]) for t in (first, second, other)}
    assert len(session_ids) == 3
    assert all(sid.isdigit() and 11 <= len(sid) <= 12 for sid in session_ids)
    assert first["access_token"] != second["access_token"]


def test_access_tokens_share_a_site_suffix_and_nothing_else(flows: Flows) -> None:
    tokens = [flows.exchange()["access_token"] for _ in range(3)]

    assert len({token[-32:] for token in tokens}) == 1
    assert len({token[:128] for token in tokens}) == 3


def test_parameters_in_the_query_string(flows: Flows) -> None:
    response = flows.token_request(params={"grant_type": "password",
                                           "dr_session_token": flows.session_token()})

    assert response.status_code == 200
    assert "access_token" in response.json()


def test_the_body_wins_over_the_query_string(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "password",
                                    "dr_session_token": flows.session_token()},
                                   params={"grant_type": "unsupported-grant"})

    assert response.status_code == 200


def test_form_content_type_with_charset(flows: Flows) -> None:
    body = f"grant_type=password&dr_session_token={flows.session_token()}"
    response = flows.token_request(
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})

    assert response.status_code == 200


def test_xml_when_accept_asks_for_it(flows: Flows) -> None:
    response = flows.exchange_response(flows.session_token(),
                                       headers={"Accept": "application/xml"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    root = ElementTree.fromstring(response.text)
    assert root.tag == "token"
    assert {child.tag for child in root} == {"access_token", "token_type", "expires_in",
                                            "refresh_token"}


def test_format_json_wins_over_an_xml_accept_header(flows: Flows) -> None:
    response = flows.token_request(
        {"grant_type": "password", "dr_session_token": flows.session_token(),
         "format": "json"}, headers={"Accept": "application/xml"})

    assert response.headers["content-type"] == "application/json"


def test_json_suffix_path(flows: Flows) -> None:
    response = flows.http.post("/oauth20/token.json", auth=flows.basic,
                               data={"grant_type": "password",
                                     "dr_session_token": flows.session_token()},
                               headers={"Accept": "application/xml"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


# --- other grants -------------------------------------------------------------------------


def test_password_grant_without_session_token_is_anonymous(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "password"})

    assert response.status_code == 200
    info = flows.info(response.json()["access_token"])
    assert info["authenticated"] == "false"


def test_shopper_credentials_are_refused(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "password", "username": "shopper",
                                    "password": base64.b64encode(b"secret").decode()})

    assert response.status_code == 400
    assert oauth_error(response) == "invalid_grant"


def test_client_credentials_anonymous(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "client_credentials"})

    assert response.status_code == 200
    info = flows.info(response.json()["access_token"])
    assert info["authenticated"] == "false"
    assert info["externalReferenceId"] is None


def test_client_credentials_for_a_partner_shopper(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "client_credentials",
                                    "dr_external_reference_id": "partner-shopper-1"})

    assert response.status_code == 200
    info = flows.info(response.json()["access_token"])
    assert info["authenticated"] == "true"
    assert info["externalReferenceId"] == "partner-shopper-1"
    assert isinstance(info["userId"], str) and info["userId"].isdigit()


def test_client_credentials_with_a_session_token_opens_a_new_session(flows: Flows) -> None:
    session_token = flows.session_token()
    exchanged = flows.exchange(session_token)
    response = flows.token_request({"grant_type": "client_credentials",
                                    "dr_session_token": session_token,
                                    "dr_external_reference_id": "partner-shopper-2"})

    assert response.status_code == 200
    assert (flows.session_id(response.json()["access_token"])
            != flows.session_id(exchanged["access_token"]))


def test_client_credentials_is_for_confidential_clients(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "client_credentials"},
                                   auth=(flows.config.api_key, ""))

    assert response.status_code == 400
    assert oauth_error(response) == "unauthorized_client"


# --- client authentication ----------------------------------------------------------------


def test_public_key_as_basic_user(flows: Flows) -> None:
    response = flows.exchange_response(flows.session_token(), auth=(flows.config.api_key, ""))

    assert response.status_code == 200


def test_public_key_as_client_id_parameter(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "password", "client_id": flows.config.api_key,
                                    "dr_session_token": flows.session_token()},
                                   use_default_auth=False)

    assert response.status_code == 200


def test_client_secret_in_the_body(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "password",
                                    "client_id": flows.config.client_id,
                                    "client_secret": flows.config.client_secret},
                                   use_default_auth=False)

    assert response.status_code == 200


def test_basic_scheme_is_case_insensitive(flows: Flows) -> None:
    encoded = base64.b64encode(f"{flows.config.client_id}:{flows.config.client_secret}".encode())
    response = flows.token_request({"grant_type": "password"}, use_default_auth=False,
                                   headers={"Authorization": f"bAsIc {encoded.decode()}"})

    assert response.status_code == 200


CLIENT_REFUSALS = {
    "wrong secret": ("reference-client", "wrong"),
    "empty secret": ("reference-client", ""),
    "unknown client": ("no-such-client", "reference-secret"),
    "public key with a secret": ("pk-reference-public-key", "reference-secret"),
    "secret with case changed": ("reference-client", "REFERENCE-SECRET"),
}


@pytest.mark.parametrize("credentials", CLIENT_REFUSALS.values(), ids=CLIENT_REFUSALS.keys())
def test_bad_client_credentials_get_401(flows: Flows, credentials: tuple[str, str]) -> None:
    response = flows.exchange_response(flows.session_token(), auth=credentials)

    _assert_invalid_client(response)


AUTHORIZATION_REFUSALS = {
    "no header": None,
    "empty Basic": "Basic Og==",
    "bad base64": "Basic !!!not-base64!!!",
    "no colon": "Basic " + base64.b64encode(b"reference-client").decode(),
    "empty user": "Basic " + base64.b64encode(b":reference-secret").decode(),
    "not UTF-8": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
    "bearer": "Bearer abcdef",
    "scheme only": "Basic",
}


@pytest.mark.parametrize("authorization", AUTHORIZATION_REFUSALS.values(),
                         ids=AUTHORIZATION_REFUSALS.keys())
def test_unusable_authorization_gets_401(flows: Flows, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = flows.token_request({"grant_type": "password",
                                    "dr_session_token": flows.session_token()},
                                   use_default_auth=False, headers=headers)

    _assert_invalid_client(response)


def test_contradicting_client_ids_get_401(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "password", "client_id": "someone-else"})

    _assert_invalid_client(response)


def _assert_invalid_client(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert oauth_error(response) == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert not carries_token(response)


# --- other refusals -----------------------------------------------------------------------


@pytest.mark.parametrize("grant_type", [None, ""])
def test_missing_grant_type(flows: Flows, grant_type: str | None) -> None:
    data = {"dr_session_token": flows.session_token()}
    if grant_type is not None:
        data["grant_type"] = grant_type
    response = flows.token_request(data)

    assert response.status_code == 400
    assert oauth_error(response) == "invalid_request"


@pytest.mark.parametrize("grant_type", ["authorization_code", "implicit", "PASSWORD",
                                        "urn:ietf:params:oauth:grant-type:jwt-bearer"])
def test_unsupported_grant_type(flows: Flows, grant_type: str) -> None:
    response = flows.token_request({"grant_type": grant_type})

    assert response.status_code == 400
    assert oauth_error(response) == "unsupported_grant_type"
    assert not carries_token(response)


@pytest.mark.parametrize("session_token", ["0123456789ABCDEF0123456789ABCDEF", "", "x",
                                           "drsite", "0" * 32])
def test_unknown_session_token_is_an_invalid_grant(flows: Flows, session_token: str) -> None:
    response = flows.exchange_response(session_token)

    assert response.status_code == 400
    assert oauth_error(response) == "invalid_grant"
    assert not carries_token(response)


def test_session_token_of_another_site_is_refused(start_reference: Start) -> None:
    config = ReferenceConfig(extra_sites=(Site("other", 600),),
                             extra_api_keys=(PublicKey("pk-other", "other"),),
                             extra_clients=(Client("other-client", "other-secret", "other"),))
    _, flows = start_reference(config)
    other_session_token = flows.session_token("other")

    refused = flows.exchange_response(other_session_token)
    served = flows.exchange_response(other_session_token, auth=("other-client", "other-secret"))

    assert refused.status_code == 400 and oauth_error(refused) == "invalid_grant"
    assert served.status_code == 200
    assert served.json()["expires_in"] == 600


def test_lowercase_session_token_is_not_the_same_token(flows: Flows) -> None:
    response = flows.exchange_response(flows.session_token().lower())

    assert response.status_code == 400


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_405(flows: Flows, method: str) -> None:
    response = flows.http.request(method, "/oauth20/token")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert oauth_error(response) == "method_not_allowed"


def test_refusals_are_never_cached(flows: Flows) -> None:
    response = flows.token_request({"grant_type": "nonsense"})

    assert response.headers["cache-control"] == "no-store"
