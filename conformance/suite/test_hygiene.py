"""Properties every token endpoint keeps (profile hygiene): no server errors however
malformed the request, and tokens that never repeat and cannot be guessed.

Uniqueness over the whole run, and Cache-Control on every answer that carried a token, are
also judged at the end of the run from everything the suite saw (see ``plugin._sweep``).
"""

from __future__ import annotations

import pytest

from conformance.checks import hygiene
from conformance.client import FlowClient, json_members
from conformance.evidence import Observation
from conformance.suite.steps import Judge

pytestmark = pytest.mark.profile("hygiene")

SAMPLES = 12


@pytest.fixture(scope="module")
def issued_tokens(client: FlowClient) -> dict[str, list[str]]:
    """A sample of each kind of token, issued one after another."""
    tokens: dict[str, list[str]] = {"session token": [], "access token": [],
                                    "refresh token": []}
    for _ in range(SAMPLES):
        session_token = client.new_session_token()
        if session_token is None:
            continue
        tokens["session token"].append(session_token)
        members = json_members(client.exchange(session_token, label="exchange for sampling"))
        for kind, member in (("access token", "access_token"),
                             ("refresh token", "refresh_token")):
            if isinstance(members.get(member), str) and members[member]:
                tokens[kind].append(members[member])
    return tokens


@pytest.mark.requirement("HY-TOKENS-UNIQUE")
@pytest.mark.parametrize("kind", ["session token", "access token", "refresh token"])
def test_tokens_never_repeat(issued_tokens: dict[str, list[str]], kind: str,
                             judge: Judge) -> None:
    if len(issued_tokens[kind]) < 2:
        pytest.skip(f"fewer than two {kind}s were issued")
    judge(hygiene.tokens_unique(kind, issued_tokens[kind]))


@pytest.mark.requirement("HY-TOKENS-UNPREDICTABLE", "HY-TOKEN-ENTROPY")
@pytest.mark.parametrize("kind", ["session token", "access token", "refresh token"])
def test_tokens_cannot_be_guessed(issued_tokens: dict[str, list[str]], kind: str,
                                  judge: Judge) -> None:
    judge(hygiene.unpredictable(kind, issued_tokens[kind]))
    judge(hygiene.entropy(kind, issued_tokens[kind]))


FORM = "application/x-www-form-urlencoded"

# Bodies for the token endpoint that no parser should crash on. Control characters are left
# to the generated tests, which find them on their own.
MALFORMED_TOKEN_BODIES: tuple[tuple[dict[str, str], bytes], ...] = (
    ({"Content-Type": FORM}, b"grant_type=%ZZ&dr_session_token=%"),
    ({"Content-Type": FORM}, b"grant_type=password&dr_session_token=\xff\xfe"),
    ({"Content-Type": FORM}, b"grant_type=password&dr_session_token=" + b"A" * 20000),
    ({"Content-Type": FORM}, b"grant_type=password&grant_type=refresh_token"),
    ({"Content-Type": FORM}, b"=&&=&grant_type"),
    ({"Content-Type": "application/json"}, b'{"grant_type": "password"}'),
    ({"Content-Type": "multipart/form-data; boundary=x"}, b"--x--"),
    ({"Content-Type": FORM, "Authorization": "Basic"}, b"grant_type=password"),
    ({"Content-Type": FORM, "Authorization": "Basic %%%notbase64"}, b"grant_type=password"),
    ({"Content-Type": FORM, "Authorization": "Bearer"}, b"grant_type=password"),
)


def _malformed_requests(client: FlowClient) -> list[Observation]:
    api = client.target.api_url
    store = f"{client.target.store_url}/store/{client.target.site_id}/SessionToken"
    observations = [
        client.send("POST", f"{api}/oauth20/token", content=body, headers=headers,
                    auth=None if "Authorization" in headers else client.client_auth(),
                    label="malformed token request")
        for headers, body in MALFORMED_TOKEN_BODIES
    ]
    for method, url, headers in (
        ("GET", f"{api}/oauth20/token", {}),
        ("GET", f"{api}/oauth20/access-tokens?token=%ZZ", {}),
        ("GET", f"{api}/oauth20/access-tokens?token=" + "x" * 10000, {}),
        ("DELETE", f"{api}/oauth20/access-tokens", {"Authorization": "Bearer !"}),
        ("GET", f"{api}/v1/shoppers/token?apiKey=%ZZ&session_token=" + "9" * 500, {}),
        ("GET", f"{store}?format=json&callback=" + "a" * 5000, {}),
        ("GET", f"{store}?format=%ZZ&apiKey=", {}),
        ("GET", f"{client.target.store_url}/store/%2e%2e%2f/SessionToken?format=json", {}),
    ):
        observations.append(client.send(method, url, headers=headers, label="malformed request"))
    return observations


@pytest.mark.requirement("HY-NO-SERVER-ERROR")
def test_malformed_requests_get_no_server_error(client: FlowClient, judge: Judge) -> None:
    judge(hygiene.no_server_error(_malformed_requests(client)))
