"""The refresh_token grant of POST /oauth20/token (profile refresh)."""

from __future__ import annotations

import pytest

from conformance.checks import refresh, token_info
from conformance.checks.common import refused
from conformance.client import FlowClient, json_members
from conformance.findings import skipped
from conformance.suite.steps import (
    Judge,
    forge,
    issued_token_or_skip,
    judge_oauth_refusal,
    judge_token_object,
)
from conformance.target import Target

pytestmark = pytest.mark.profile("refresh")


@pytest.mark.requirement("RF-TOKEN-ISSUED", "RF-KEEPS-SESSION", "EX-TOKEN-FIELDS")
def test_refresh_issues_a_new_token(client: FlowClient, target: Target, judge: Judge) -> None:
    _, members = issued_token_or_skip(client, judge, "RF-TOKEN-ISSUED")
    old_access_token = str(members["access_token"])
    refresh_token = members.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        judge(skipped("RF-TOKEN-ISSUED", "the exchange issued no refresh token "
                      "(see EX-TOKEN-FIELDS)"))
        return

    before = client.token_information(old_access_token, label="token information before refresh")
    observation = client.refresh(refresh_token)
    judge(refresh.refreshed(old_access_token, observation))
    judge_token_object(judge, observation, target, new_session=False)

    new_access_token = json_members(observation).get("access_token")
    if isinstance(new_access_token, str) and new_access_token:
        after = client.token_information(new_access_token,
                                         label="token information after refresh")
        judge(refresh.keeps_session(token_info.session_id(before), token_info.session_id(after),
                                    before, observation, after))


@pytest.mark.requirement("RF-FORGED-REFRESH-TOKEN", "EX-ERROR-OBJECT")
def test_forged_refresh_token_is_refused(client: FlowClient, judge: Judge) -> None:
    _, members = issued_token_or_skip(client, judge, "RF-FORGED-REFRESH-TOKEN")
    real = members.get("refresh_token")
    forged = forge(client, real if isinstance(real, str) and real else "0" * 64,
                   "refresh-token")
    observation = client.refresh(forged, label="refresh with a forged refresh token")
    judge(refused("RF-FORGED-REFRESH-TOKEN", observation, "a refresh token never issued"))
    judge_oauth_refusal(judge, observation)
