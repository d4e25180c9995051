"""Checks of the refresh_token grant (profile refresh)."""

from __future__ import annotations

from conformance.checks.common import body_of, describe, is_success
from conformance.evidence import Observation
from conformance.findings import Finding, judge, recorded
from conformance.formats import token_members


def refreshed(old_access_token: str, observation: Observation) -> Finding:
    """RF-TOKEN-ISSUED: a 2xx token object with an access token other than the old one."""
    members = token_members(body_of(observation)) or {}
    new_access_token = members.get("access_token")
    same = new_access_token == old_access_token
    return judge(
        "RF-TOKEN-ISSUED",
        is_success(observation) and isinstance(new_access_token, str)
        and bool(new_access_token) and not same,
        "2xx token object with a new access token",
        describe(observation) + (" (the old access token again)" if same else ""),
        observation,
    )


def keeps_session(before: str | None, after: str | None, *evidence: Observation) -> Finding:
    """RF-KEEPS-SESSION: whether the refreshed token is bound to the old session."""
    if before is None or after is None:
        outcome = "unknown (token information gave no sessionId)"
    else:
        outcome = "the same session" if before == after else "a different session"
    return recorded("RF-KEEPS-SESSION", f"the refreshed access token is bound to {outcome}",
                    *evidence)
