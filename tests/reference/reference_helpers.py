"""The flows of the contract as small HTTP helpers for the reference's own tests."""

from __future__ import annotations

from typing import Any

import httpx

from conformance.reference.config import ReferenceConfig


class Flows:
    """The contract's calls against one reference, with its default credentials."""

    def __init__(self, http: httpx.Client, config: ReferenceConfig) -> None:
        self.http = http
        self.config = config

    @property
    def basic(self) -> tuple[str, str]:
        return (self.config.client_id, self.config.client_secret)

    def session_token(self, site_id: str | None = None) -> str:
        response = self.http.get(f"/store/{site_id or self.config.site_id}/SessionToken",
                                 params={"format": "json"})
        assert response.status_code == 200, response.text
        token: str = response.json()["session_token"]
        return token

    def token_request(self, data: dict[str, str] | None = None, *,
                      auth: tuple[str, str] | None = None, use_default_auth: bool = True,
                      **kwargs: Any) -> httpx.Response:
        if auth is None and use_default_auth:
            auth = self.basic
        return self.http.post("/oauth20/token", data=data, auth=auth, **kwargs)

    def exchange_response(self, session_token: str, **kwargs: Any) -> httpx.Response:
        return self.token_request(
            {"grant_type": "password", "dr_session_token": session_token}, **kwargs)

    def exchange(self, session_token: str | None = None) -> dict[str, Any]:
        response = self.exchange_response(session_token or self.session_token())
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def refresh_response(self, refresh_token: str) -> httpx.Response:
        return self.token_request({"grant_type": "refresh_token",
                                   "refresh_token": refresh_token})

    def info_response(self, access_token: str, method: str = "GET") -> httpx.Response:
        return self.http.request(method, "/oauth20/access-tokens",
                                 params={"token": access_token})

    def info(self, access_token: str) -> dict[str, Any]:
        response = self.info_response(access_token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def session_id(self, access_token: str) -> str:
        return str(self.info(access_token)["sessionId"])

    def one_call_token(self) -> dict[str, Any]:
        response = self.http.get(f"/store/{self.config.site_id}/SessionToken",
                                 params={"apiKey": self.config.api_key, "format": "json"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def shopper_token_response(self, **params: str) -> httpx.Response:
        query = {"apiKey": self.config.api_key, "format": "json", **params}
        return self.http.get("/v1/shoppers/token", params=query)


def oauth_error(response: httpx.Response) -> str:
    """The ``error`` member of an OAuth error answer, checking it is one."""
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str), body
    error: str = body["error"]
    return error


def commerce_error_code(response: httpx.Response) -> str:
    """The code of a Commerce API error answer, checking its shape."""
    assert response.headers["content-type"].startswith("application/json"), response.headers
    errors = response.json()["errors"]["error"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    assert set(errors[0]) >= {"relation", "code", "description"}, errors
    code: str = errors[0]["code"]
    return code


def carries_token(response: httpx.Response) -> bool:
    """Whether an answer hands out a token: a member named like one, at any depth."""
    try:
        body = response.json()
    except ValueError:
        return any(name in response.text for name in TOKEN_MEMBERS)
    return _has_token_member(body)


TOKEN_MEMBERS = ("access_token", "refresh_token", "session_token", "sessionToken")


def _has_token_member(value: Any) -> bool:
    if isinstance(value, dict):
        return any(key in TOKEN_MEMBERS or _has_token_member(item)
                   for key, item in value.items())
    if isinstance(value, list):
        return any(_has_token_member(item) for item in value)
    return False
