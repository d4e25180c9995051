"""Pieces every check module uses: describing an answer, and judging a refusal."""

from __future__ import annotations

from typing import Any

from conformance.evidence import Observation
from conformance.findings import Finding, judge
from conformance.formats import carries_token, parse_body

# Enough of a body to hold any token whole; reports cut the redacted text shorter.
BODY_EXCERPT = 4096


def describe(observation: Observation) -> str:
    """One line on what the target answered: status, content type, start of the body."""
    response = observation.response
    if response is None:
        return f"no answer ({observation.error})"
    # The body is not shortened here: a token cut in half would escape redaction. Reports
    # shorten the text after redacting it.
    body = " ".join(response.body[:BODY_EXCERPT].split())
    content_type = response.content_type or "no content type"
    head = f"{response.status} {content_type}"
    return f"{head} {body!r}" if body else head


def body_of(observation: Observation) -> Any:
    return None if observation.response is None else parse_body(observation.response)


def is_success(observation: Observation) -> bool:
    return observation.response is not None and 200 <= observation.response.status < 300


def refused(requirement: str, observation: Observation, what: str) -> Finding:
    """A refusal: a 4xx, and no token of any kind in the body."""
    response = observation.response
    status_ok = response is not None and 400 <= response.status < 500
    leaked = response is not None and carries_token(body_of(observation))
    return judge(
        requirement,
        status_ok and not leaked,
        f"{what} refused with a 4xx and no token",
        describe(observation) + (" (a token was handed out)" if leaked else ""),
        observation,
    )
