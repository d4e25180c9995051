"""Checks of the OAuth token object, wherever it is issued (profile exchange).

The one-call site action, the exchange, the shopper token route and refresh all hand out
the same object, so these checks take any observation that carries one.
"""

from __future__ import annotations

from typing import Any

from conformance.checks.common import body_of, describe, is_success
from conformance.evidence import Observation
from conformance.findings import Finding, judge, skipped
from conformance.formats import TOKEN_MEMBERS, expires_in_seconds, token_members


def missing_members(members: dict[str, Any] | None) -> list[str]:
    if members is None:
        return list(TOKEN_MEMBERS)
    return [name for name in TOKEN_MEMBERS if members.get(name) in (None, "")]


def token_issued(requirement: str, observation: Observation, what: str) -> Finding:
    """A 2xx answer whose body is a token object (fields judged by token_fields)."""
    members = token_members(body_of(observation))
    return judge(
        requirement,
        is_success(observation) and members is not None and bool(members.get("access_token")),
        f"{what} answers 2xx with a token object",
        describe(observation),
        observation,
    )


def token_fields(observation: Observation) -> Finding:
    """EX-TOKEN-FIELDS: the members are there, strings non-empty, expires_in numeric."""
    members = token_members(body_of(observation))
    problems = [f"no {name}" for name in missing_members(members)]
    if members is not None:
        for name in ("access_token", "refresh_token", "token_type"):
            if name in members and not isinstance(members[name], str):
                problems.append(f"{name} is {type(members[name]).__name__}, not a string")
        seconds = expires_in_seconds(members.get("expires_in"))
        if "expires_in" in members and (seconds is None or seconds < 0):
            problems.append(f"expires_in {members['expires_in']!r} is not a whole number")
    return judge(
        "EX-TOKEN-FIELDS",
        not problems,
        "access_token, refresh_token, token_type strings and a numeric expires_in",
        "; ".join(problems) or describe(observation),
        observation,
    )


def token_type_bearer(observation: Observation) -> Finding:
    """EX-TOKEN-TYPE-BEARER: bearer, in any letter case."""
    members = token_members(body_of(observation)) or {}
    token_type = members.get("token_type")
    return judge(
        "EX-TOKEN-TYPE-BEARER",
        isinstance(token_type, str) and token_type.lower() == "bearer",
        "token_type bearer (any case)",
        f"token_type {token_type!r}",
        observation,
    )


def expires_in_integer(observation: Observation) -> Finding:
    """EX-EXPIRES-IN-INTEGER: a JSON integer rather than a numeric string."""
    members = token_members(body_of(observation)) or {}
    value = members.get("expires_in")
    return judge(
        "EX-EXPIRES-IN-INTEGER",
        isinstance(value, int) and not isinstance(value, bool),
        "expires_in as a JSON integer",
        f"expires_in {value!r} ({type(value).__name__})",
        observation,
    )


def ttl_matches_site(observation: Observation, session_ttl: int | None,
                     tolerance: int) -> Finding:
    """EX-TTL-MATCHES-SITE: expires_in within [ttl - tolerance, ttl]."""
    if session_ttl is None:
        return skipped("EX-TTL-MATCHES-SITE",
                       "no site session timeout given (--session-ttl / DR_SESSION_TTL)",
                       observation)
    members = token_members(body_of(observation)) or {}
    seconds = expires_in_seconds(members.get("expires_in"))
    low = max(session_ttl - tolerance, 0)
    return judge(
        "EX-TTL-MATCHES-SITE",
        seconds is not None and low <= seconds <= session_ttl,
        f"expires_in within [{low}, {session_ttl}] (site session timeout {session_ttl} s, "
        f"tolerance {tolerance} s)",
        f"expires_in {members.get('expires_in')!r}",
        observation,
    )


def issued_expires_in(observation: Observation) -> int | None:
    members = token_members(body_of(observation)) or {}
    return expires_in_seconds(members.get("expires_in"))
