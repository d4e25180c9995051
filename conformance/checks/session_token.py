"""Checks of the store's SessionToken site action (profile session-token)."""

from __future__ import annotations

from conformance.checks.common import body_of, describe, is_success
from conformance.evidence import Observation
from conformance.findings import Finding, judge
from conformance.formats import parse_xml, session_token_of, token_members


def session_token_issued(observation: Observation) -> Finding:
    """ST-SESSION-TOKEN: without an API key, a JSON object with a session_token string."""
    response = observation.response
    data = response.json_or_none() if response is not None else None
    token = session_token_of(data)
    return judge(
        "ST-SESSION-TOKEN",
        is_success(observation) and token is not None,
        "2xx JSON object with a non-empty session_token string",
        describe(observation),
        observation,
    )


def one_call_token(observation: Observation) -> Finding:
    """ST-ONE-CALL-TOKEN: with a public API key, a token object in one call.

    Which members the object has is judged by EX-TOKEN-FIELDS, so a missing member shows up
    there, once, rather than here too.
    """
    members = token_members(body_of(observation))
    return judge(
        "ST-ONE-CALL-TOKEN",
        is_success(observation) and members is not None and bool(members.get("access_token")),
        "2xx token object with an access token, not a bare session token",
        describe(observation),
        observation,
    )


def default_format(observation: Observation) -> Finding:
    """ST-DEFAULT-FORMAT: with no format asked, JSON or XML that still names session_token."""
    response = observation.response
    token: str | None = None
    if response is not None and is_success(observation):
        token = session_token_of(response.json_or_none())
        if token is None:
            token = _xml_session_token(response.body)
    return judge(
        "ST-DEFAULT-FORMAT",
        token is not None,
        "2xx carrying session_token as JSON, or as XML with session_token as an element",
        describe(observation),
        observation,
    )


def _xml_session_token(body: str) -> str | None:
    data = parse_xml(body)
    if not data:
        return None
    if isinstance(data.get("session_token"), str) and data["session_token"]:
        return str(data["session_token"])
    inner = data.get("token")
    if isinstance(inner, dict) and inner.get("session_token"):
        return str(inner["session_token"])
    return None
