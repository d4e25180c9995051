"""Checks of token information and revocation, GET/DELETE /oauth20/access-tokens
(profile token-information)."""

from __future__ import annotations

from typing import Any

from conformance.checks.common import describe, is_success
from conformance.evidence import Observation
from conformance.findings import Finding, judge


def information(observation: Observation) -> dict[str, Any]:
    """The token information object, or an empty dict when the answer is not one."""
    if not is_success(observation) or observation.response is None:
        return {}
    data = observation.response.json_or_none()
    return data if isinstance(data, dict) else {}


def session_id(observation: Observation) -> str | None:
    """The sessionId as text (numbers and strings alike), or None when there is none."""
    value = information(observation).get("sessionId")
    if isinstance(value, bool) or value in (None, ""):
        return None
    return str(value) if isinstance(value, (str, int)) else None


def expires_in(observation: Observation) -> int | None:
    value = information(observation).get("expiresIn")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fields(observation: Observation) -> Finding:
    """TI-FIELDS: sessionId, integer expiresIn and authenticated in a 2xx JSON object."""
    info = information(observation)
    problems = []
    if not info:
        problems.append("no JSON object in a 2xx answer")
    else:
        if session_id(observation) is None:
            problems.append(f"sessionId {info.get('sessionId')!r}")
        if expires_in(observation) is None:
            problems.append(f"expiresIn {info.get('expiresIn')!r}")
        if "authenticated" not in info:
            problems.append("no authenticated")
    return judge(
        "TI-FIELDS",
        not problems,
        "2xx JSON object with sessionId, an integer expiresIn and authenticated",
        "; ".join(problems) + f" in {describe(observation)}" if problems else describe(observation),
        observation,
    )


def bearer_accepted(by_query: Observation, by_bearer: Observation) -> Finding:
    """TI-BEARER: the bearer header gets token information as the token parameter does."""
    query_session, bearer_session = session_id(by_query), session_id(by_bearer)
    return judge(
        "TI-BEARER",
        bool(information(by_bearer)) and query_session == bearer_session,
        "the access token as an Authorization bearer header gives the same information",
        describe(by_bearer),
        by_query,
        by_bearer,
    )


def anonymous(observation: Observation) -> Finding:
    """TI-ANONYMOUS: authenticated is false (string or boolean) for an anonymous token."""
    value = information(observation).get("authenticated")
    not_authenticated = value is False or (isinstance(value, str) and value.lower() == "false")
    return judge(
        "TI-ANONYMOUS",
        not_authenticated,
        'authenticated false or "false" for a token from an anonymous flow',
        f"authenticated {value!r}",
        observation,
    )


def expires_bounded(issued_expires_in: int, observation: Observation,
                    issue: Observation) -> Finding:
    """TI-EXPIRES-BOUNDED: expiresIn never above the expires_in first issued."""
    reported = expires_in(observation)
    return judge(
        "TI-EXPIRES-BOUNDED",
        reported is not None and reported <= issued_expires_in,
        f"expiresIn at most {issued_expires_in} (the issued expires_in)",
        f"expiresIn {information(observation).get('expiresIn')!r}",
        issue,
        observation,
    )


def expires_falls(before: Observation, after: Observation, waited: float) -> Finding:
    """TI-EXPIRES-FALLS: after waiting w seconds, expiresIn is lower by at least w - 1."""
    first, second = expires_in(before), expires_in(after)
    least = max(int(waited) - 1, 1)
    return judge(
        "TI-EXPIRES-FALLS",
        first is not None and second is not None and second <= first - least,
        f"expiresIn lower by at least {least} after {waited:g} s",
        f"expiresIn {first!r} then {second!r}",
        before,
        after,
    )


def revoked(revocation: Observation, afterwards: list[Observation]) -> Finding:
    """TI-REVOKE: DELETE answers 2xx; the token is then refused with 401 however presented."""
    still_valid = [o for o in afterwards if o.status != 401]
    observed = f"DELETE {describe(revocation)}"
    if still_valid:
        observed += "; afterwards " + "; ".join(describe(o) for o in still_valid)
    return judge(
        "TI-REVOKE",
        is_success(revocation) and not still_valid,
        "DELETE answers 2xx, then token information answers 401 for that token",
        observed,
        revocation,
        *afterwards,
    )
