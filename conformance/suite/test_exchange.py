"""POST /oauth20/token exchanging a session token for an access token (profile exchange).

Holds the product's first invariant: every exchange makes a new shopper session.
"""

from __future__ import annotations

import pytest

from conformance.checks import exchange, token_object
from conformance.checks.common import refused
from conformance.checks.invariants import new_session_each_time
from conformance.client import FlowClient
from conformance.suite.steps import (
    Judge,
    forge,
    issuance,
    judge_oauth_refusal,
    judge_token_object,
    random_suffix,
    session_token_or_skip,
)
from conformance.target import Target

pytestmark = pytest.mark.profile("exchange")


@pytest.mark.requirement("EX-TOKEN-ISSUED", "EX-TOKEN-FIELDS", "EX-TOKEN-TYPE-BEARER",
                         "EX-EXPIRES-IN-INTEGER", "EX-TTL-MATCHES-SITE", "HY-NO-STORE")
def test_exchange_issues_a_token(client: FlowClient, target: Target, judge: Judge) -> None:
    session_token = session_token_or_skip(client, judge, "EX-TOKEN-ISSUED")
    observation = client.exchange(session_token)
    judge(token_object.token_issued("EX-TOKEN-ISSUED", observation, "the exchange"))
    judge_token_object(judge, observation, target)


@pytest.mark.requirement("EX-NEW-SESSION", "EX-REPEAT-EXCHANGE")
def test_every_exchange_makes_a_new_session(client: FlowClient, judge: Judge) -> None:
    first = session_token_or_skip(client, judge, "EX-NEW-SESSION")
    others = [session_token_or_skip(client, judge, "EX-NEW-SESSION") for _ in range(2)]

    issuances = [issuance(client, "exchange 1 of session token A",
                           client.exchange(first, label="exchange 1 of session token A"))]
    for index, session_token in enumerate(others, start=2):
        label = f"exchange of session token {'BC'[index - 2]}"
        issuances.append(issuance(client, label, client.exchange(session_token, label=label)))
    repeat = client.exchange(first, label="exchange 2 of session token A")
    issuances.append(issuance(client, "exchange 2 of session token A", repeat))

    judge(exchange.repeat_exchange(repeat))
    judge(new_session_each_time("EX-NEW-SESSION", issuances))


@pytest.mark.requirement("EX-BAD-SECRET", "EX-ERROR-OBJECT", "HY-ERROR-CONTENT-TYPE")
def test_wrong_client_secret_is_refused(client: FlowClient, target: Target,
                                        judge: Judge) -> None:
    session_token = session_token_or_skip(client, judge, "EX-BAD-SECRET")
    form = {"grant_type": "password", "dr_session_token": session_token}
    wrong = f"{target.client_secret}-wrong-{random_suffix()}"
    observation = client.token(form, auth=(target.client_id or "", wrong),
                               label="exchange with a wrong client secret")
    judge(exchange.invalid_client("EX-BAD-SECRET", observation, "a wrong client secret"))
    judge_oauth_refusal(judge, observation)


@pytest.mark.requirement("EX-UNKNOWN-CLIENT", "EX-ERROR-OBJECT")
def test_unknown_client_is_refused(client: FlowClient, target: Target, judge: Judge) -> None:
    session_token = session_token_or_skip(client, judge, "EX-UNKNOWN-CLIENT")
    form = {"grant_type": "password", "dr_session_token": session_token}
    observation = client.token(form, auth=(f"unknown-client-{random_suffix()}",
                                           target.client_secret or "secret"),
                               label="exchange by an unknown client")
    judge(exchange.invalid_client("EX-UNKNOWN-CLIENT", observation, "an unknown client ID"))
    judge_oauth_refusal(judge, observation)


@pytest.mark.requirement("EX-FORGED-SESSION-TOKEN", "EX-ERROR-OBJECT")
def test_forged_session_token_is_refused(client: FlowClient, judge: Judge) -> None:
    real = session_token_or_skip(client, judge, "EX-FORGED-SESSION-TOKEN")
    forged = forge(client, real, "session-token")
    observation = client.exchange(forged, label="exchange of a forged session token")
    judge(refused("EX-FORGED-SESSION-TOKEN", observation, "a session token never issued"))
    judge_oauth_refusal(judge, observation)


@pytest.mark.requirement("EX-UNSUPPORTED-GRANT", "EX-ERROR-OBJECT")
def test_unsupported_grant_type_is_refused(client: FlowClient, judge: Judge) -> None:
    session_token = session_token_or_skip(client, judge, "EX-UNSUPPORTED-GRANT")
    form = {"grant_type": "urn:example:unsupported-grant", "dr_session_token": session_token}
    observation = client.token(form, auth=client.client_auth(),
                               label="token request with an unsupported grant type")
    judge(refused("EX-UNSUPPORTED-GRANT", observation, "an unsupported grant_type"))
    judge_oauth_refusal(judge, observation)


@pytest.mark.requirement("EX-MISSING-GRANT", "EX-ERROR-OBJECT")
def test_missing_grant_type_is_refused(client: FlowClient, judge: Judge) -> None:
    session_token = session_token_or_skip(client, judge, "EX-MISSING-GRANT")
    observation = client.token({"dr_session_token": session_token}, auth=client.client_auth(),
                               label="token request without grant_type")
    judge(refused("EX-MISSING-GRANT", observation, "a request without grant_type"))
    judge_oauth_refusal(judge, observation)


@pytest.mark.requirement("EX-QUERY-PARAMETERS")
def test_parameters_in_the_query_string(client: FlowClient, judge: Judge) -> None:
    session_token = session_token_or_skip(client, judge, "EX-QUERY-PARAMETERS")
    query = {"grant_type": "password", "dr_session_token": session_token}
    observation = client.token({}, auth=client.client_auth(), query=query,
                               label="exchange with parameters in the query string")
    judge(exchange.query_parameters(observation))
