"""Steps the suite's tests share: judging a token object, forging look-alike tokens."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest

from conformance.checks import exchange, hygiene, token_info, token_object
from conformance.checks.invariants import Issuance
from conformance.client import FlowClient, json_members
from conformance.evidence import Observation
from conformance.findings import Finding, skipped
from conformance.target import Target

Judge = Callable[[Finding], Finding]


def judge_token_object(judge: Judge, observation: Observation, target: Target, *,
                       new_session: bool = True) -> None:
    """Every requirement on a token object, for an answer that carries one."""
    if not json_members(observation):
        return
    judge(token_object.token_fields(observation))
    judge(token_object.token_type_bearer(observation))
    judge(token_object.expires_in_integer(observation))
    judge(hygiene.no_store(observation))
    if new_session:
        judge(token_object.ttl_matches_site(observation, target.session_ttl,
                                            target.session_ttl_tolerance))


def judge_oauth_refusal(judge: Judge, observation: Observation) -> None:
    """The error object and its content type, for a refusal from the token endpoint."""
    if observation.response is None or observation.response.status < 400:
        return
    judge(exchange.oauth_error_object(observation))
    if observation.response.json_or_none() is not None:
        judge(hygiene.error_content_type(observation))


def session_token_or_skip(client: FlowClient, judge: Judge, requirement: str) -> str:
    """A fresh session token; without one the requirement is skipped, pointing at why."""
    token = client.new_session_token()
    if token is None:
        judge(skipped(requirement, "the target handed out no session token to use "
                      "(see ST-SESSION-TOKEN)"))
        pytest.skip("no session token to use")
    return token


def issued_token_or_skip(client: FlowClient, judge: Judge, requirement: str,
                         ) -> tuple[Observation, dict[str, object]]:
    """An exchanged token object; without one the requirement is skipped, pointing at why."""
    session_token = session_token_or_skip(client, judge, requirement)
    issue = client.exchange(session_token, label="exchange for a later step")
    members = json_members(issue)
    if not members.get("access_token"):
        judge(skipped(requirement, "the exchange issued no access token to use "
                      "(see EX-TOKEN-ISSUED)", issue))
        pytest.skip("no access token to use")
    return issue, members


# Values the suite makes up (unknown keys, forged tokens) come from the run's seed, so a
# replayed run sends byte for byte what the recorded run sent.
_made_up = random.Random()


def reseed(seed: int) -> None:
    _made_up.seed(seed)


def forge_like(real: str) -> str:
    """A token of the real one's length and character classes that was never issued."""
    pools = (string.digits, "abcdef", "ABCDEF", string.ascii_lowercase, string.ascii_uppercase)
    forged = []
    for character in real:
        pool = next((p for p in pools if character in p), None)
        forged.append(_made_up.choice(pool) if pool else character)
    candidate = "".join(forged)
    return candidate if candidate != real else forge_like(real)


def forge(client: FlowClient, real: str, kind: str) -> str:
    """A look-alike of a real token, shown in reports as forged rather than as a token."""
    forged = forge_like(real)
    client.redactor.add(forged, f"forged-{kind}")
    return forged


def random_suffix() -> str:
    return f"{_made_up.getrandbits(48):012x}"


def issuance(client: FlowClient, label: str, observation: Observation) -> Issuance:
    """A token issuance and the session token information binds its access token to."""
    access_token = json_members(observation).get("access_token")
    if not isinstance(access_token, str) or not access_token:
        return Issuance(label, None, (observation,))
    information = client.token_information(access_token, label=f"token information ({label})")
    return Issuance(label, token_info.session_id(information), (observation, information))
