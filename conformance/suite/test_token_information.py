"""Token information and revocation, GET/DELETE /oauth20/access-tokens
(profile token-information).

Holds the time side of the product's second invariant: the lifetime token information
reports never exceeds what was issued, and falls as time passes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import token_info, token_object
from conformance.checks.common import refused
from conformance.client import FlowClient, json_members
from conformance.findings import skipped
from conformance.suite.steps import Judge, forge, issued_token_or_skip

pytestmark = pytest.mark.profile("token-information")


@pytest.mark.requirement("TI-FIELDS", "TI-ANONYMOUS", "TI-EXPIRES-BOUNDED")
def test_information_about_an_exchanged_token(client: FlowClient, judge: Judge) -> None:
    issue, members = issued_token_or_skip(client, judge, "TI-FIELDS")
    information = client.token_information(str(members["access_token"]))
    judge(token_info.fields(information))
    judge(token_info.anonymous(information))
    issued = token_object.issued_expires_in(issue)
    if issued is None:
        judge(skipped("TI-EXPIRES-BOUNDED", "the token was issued without a numeric expires_in",
                      issue))
    else:
        judge(token_info.expires_bounded(issued, information, issue))


@pytest.mark.requirement("TI-ANONYMOUS")
def test_information_about_a_one_call_token(client: FlowClient, judge: Judge) -> None:
    if not client.target.api_key:
        pytest.skip("no public API key given (--api-key / DR_API_KEY)")
    issue = client.session_token(api_key=client.target.api_key, label="one-call token")
    access_token = json_members(issue).get("access_token")
    if not isinstance(access_token, str):
        pytest.skip("the site action issued no token with the API key (see ST-ONE-CALL-TOKEN)")
    judge(token_info.anonymous(client.token_information(access_token)))


@pytest.mark.requirement("TI-BEARER")
def test_token_as_bearer_header(client: FlowClient, judge: Judge) -> None:
    _, members = issued_token_or_skip(client, judge, "TI-BEARER")
    access_token = str(members["access_token"])
    by_query = client.token_information(access_token, label="token information by parameter")
    by_bearer = client.token_information(access_token, as_bearer=True,
                                         label="token information by bearer header")
    judge(token_info.bearer_accepted(by_query, by_bearer))


@pytest.mark.requirement("TI-EXPIRES-FALLS", "TI-EXPIRES-BOUNDED")
def test_lifetime_falls_as_time_passes(client: FlowClient, judge: Judge,
                                       time_passes: Callable[[], float]) -> None:
    issue, members = issued_token_or_skip(client, judge, "TI-EXPIRES-FALLS")
    access_token = str(members["access_token"])
    before = client.token_information(access_token, label="token information before waiting")
    waited = time_passes()
    after = client.token_information(access_token, label="token information after waiting")
    judge(token_info.expires_falls(before, after, waited))
    issued = token_object.issued_expires_in(issue)
    if issued is not None:
        judge(token_info.expires_bounded(issued, after, issue))


@pytest.mark.requirement("TI-UNKNOWN-TOKEN")
def test_unknown_token_is_refused(client: FlowClient, judge: Judge) -> None:
    _, members = issued_token_or_skip(client, judge, "TI-UNKNOWN-TOKEN")
    forged = forge(client, str(members["access_token"]), "access-token")
    observation = client.token_information(forged, label="token information, unknown token")
    judge(refused("TI-UNKNOWN-TOKEN", observation, "an access token never issued"))


@pytest.mark.requirement("TI-REVOKE")
def test_revoked_token_is_refused(client: FlowClient, judge: Judge) -> None:
    _, members = issued_token_or_skip(client, judge, "TI-REVOKE")
    access_token = str(members["access_token"])
    revocation = client.revoke(access_token)
    afterwards = [
        client.token_information(access_token, label="token information after revocation"),
        client.token_information(access_token, as_bearer=True,
                                 label="token information after revocation, bearer"),
    ]
    judge(token_info.revoked(revocation, afterwards))
