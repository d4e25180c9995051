"""The SessionToken site action, without and with a public API key (profile session-token)."""

from __future__ import annotations

import pytest

from conformance.checks import session_token
from conformance.checks.common import refused
from conformance.client import FlowClient
from conformance.findings import skipped
from conformance.suite.steps import Judge, judge_token_object, random_suffix
from conformance.target import Target

pytestmark = pytest.mark.profile("session-token")


@pytest.mark.requirement("ST-SESSION-TOKEN")
def test_session_token_without_api_key(client: FlowClient, judge: Judge) -> None:
    judge(session_token.session_token_issued(client.session_token()))


@pytest.mark.requirement("ST-ONE-CALL-TOKEN", "EX-TOKEN-FIELDS", "EX-TOKEN-TYPE-BEARER",
                         "EX-EXPIRES-IN-INTEGER", "EX-TTL-MATCHES-SITE")
def test_one_call_token_with_public_api_key(client: FlowClient, target: Target,
                                            judge: Judge) -> None:
    if not target.api_key:
        judge(skipped("ST-ONE-CALL-TOKEN", "no public API key given (--api-key / DR_API_KEY)"))
        return
    observation = client.session_token(api_key=target.api_key, label="one-call token")
    judge(session_token.one_call_token(observation))
    judge_token_object(judge, observation, target)


@pytest.mark.requirement("ST-DEFAULT-FORMAT")
def test_answer_without_format_carries_the_session_token(client: FlowClient,
                                                         judge: Judge) -> None:
    observation = client.session_token(format=None, label="session token, no format")
    judge(session_token.default_format(observation))


@pytest.mark.requirement("ST-INVALID-API-KEY")
def test_unknown_api_key_is_refused(client: FlowClient, judge: Judge) -> None:
    observation = client.session_token(api_key=f"unknown-key-{random_suffix()}",
                                       label="site action with an unknown API key")
    judge(refused("ST-INVALID-API-KEY", observation, "an unknown API key"))


@pytest.mark.requirement("ST-UNKNOWN-SITE")
def test_unknown_site_is_refused(client: FlowClient, judge: Judge) -> None:
    observation = client.session_token(site_id=f"nosuchsite{random_suffix()}",
                                       label="site action on an unknown site")
    judge(refused("ST-UNKNOWN-SITE", observation, "an unknown site ID"))
