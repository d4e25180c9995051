"""The legacy Shopper API route GET /v1/shoppers/token (profile shopper-token)."""

from __future__ import annotations

import pytest

from conformance.checks import token_object
from conformance.checks.common import refused
from conformance.checks.invariants import new_session_each_time
from conformance.client import FlowClient
from conformance.findings import skipped
from conformance.suite.steps import (
    Judge,
    issuance,
    judge_token_object,
    random_suffix,
    session_token_or_skip,
)
from conformance.target import Target

pytestmark = pytest.mark.profile("shopper-token")


def _api_key_or_skip(target: Target, judge: Judge, requirement: str) -> str:
    if not target.api_key:
        judge(skipped(requirement, "no public API key given (--api-key / DR_API_KEY)"))
        pytest.skip("no public API key")
    return target.api_key


@pytest.mark.requirement("SH-TOKEN-ISSUED", "EX-TOKEN-FIELDS", "EX-TOKEN-TYPE-BEARER",
                         "EX-TTL-MATCHES-SITE")
def test_shopper_token_with_public_api_key(client: FlowClient, target: Target,
                                           judge: Judge) -> None:
    api_key = _api_key_or_skip(target, judge, "SH-TOKEN-ISSUED")
    observation = client.shopper_token(api_key=api_key)
    judge(token_object.token_issued("SH-TOKEN-ISSUED", observation, "the shopper token route"))
    judge_token_object(judge, observation, target)


@pytest.mark.requirement("SH-NEW-SESSION")
def test_every_shopper_token_makes_a_new_session(client: FlowClient, target: Target,
                                                 judge: Judge) -> None:
    api_key = _api_key_or_skip(target, judge, "SH-NEW-SESSION")
    first = session_token_or_skip(client, judge, "SH-NEW-SESSION")
    second = session_token_or_skip(client, judge, "SH-NEW-SESSION")

    issuances = []
    for label, session_token in (("shopper token 1 for session token A", first),
                                 ("shopper token 2 for session token A", first),
                                 ("shopper token for session token B", second)):
        observation = client.shopper_token(api_key=api_key, session_token=session_token,
                                           label=label)
        issuances.append(issuance(client, label, observation))
    issuances.append(issuance(client, "exchange of session token B",
                               client.exchange(second, label="exchange of session token B")))
    judge(new_session_each_time("SH-NEW-SESSION", issuances))


@pytest.mark.requirement("SH-INVALID-API-KEY")
def test_unknown_api_key_is_refused(client: FlowClient, judge: Judge) -> None:
    observation = client.shopper_token(api_key=f"unknown-key-{random_suffix()}",
                                       label="shopper token with an unknown API key")
    judge(refused("SH-INVALID-API-KEY", observation, "an unknown API key"))
