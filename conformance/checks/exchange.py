"""Checks of POST /oauth20/token refusals and recorded behaviour (profile exchange)."""

from __future__ import annotations

from conformance.checks.common import body_of, describe, is_success
from conformance.evidence import Observation
from conformance.findings import Finding, judge, recorded
from conformance.formats import carries_token


def invalid_client(requirement: str, observation: Observation, what: str) -> Finding:
    """EX-BAD-SECRET, EX-UNKNOWN-CLIENT: 401, error invalid_client where there is an error
    member, and no token.

    An answer without an OAuth error object at all is EX-ERROR-OBJECT's finding, not this one.
    """
    data = body_of(observation)
    error = data.get("error") if isinstance(data, dict) else None
    code_ok = error is None or error == "invalid_client"
    return judge(
        requirement,
        observation.status == 401 and code_ok and not carries_token(data),
        f"{what} refused with 401 and error invalid_client",
        describe(observation),
        observation,
    )


def oauth_error_object(observation: Observation) -> Finding:
    """EX-ERROR-OBJECT: a refusal carries a JSON object with a non-empty error string."""
    response = observation.response
    data = response.json_or_none() if response is not None else None
    error = data.get("error") if isinstance(data, dict) else None
    return judge(
        "EX-ERROR-OBJECT",
        isinstance(error, str) and bool(error),
        "a JSON object with a non-empty string member error",
        describe(observation),
        observation,
    )


def repeat_exchange(second: Observation) -> Finding:
    """EX-REPEAT-EXCHANGE: what a second exchange of one session token got."""
    outcome = "served" if is_success(second) else f"refused ({describe(second)})"
    return recorded("EX-REPEAT-EXCHANGE", f"a second exchange of one session token was {outcome}",
                    second)


def query_parameters(observation: Observation) -> Finding:
    """EX-QUERY-PARAMETERS: whether the exchange works with parameters in the query."""
    outcome = "accepted" if is_success(observation) else f"refused ({describe(observation)})"
    return recorded("EX-QUERY-PARAMETERS",
                    f"an exchange with its parameters in the query string was {outcome}",
                    observation)
