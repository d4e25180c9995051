"""The product's cross-call invariants: a new shopper session per exchange.

(The other invariant, expires_in agreeing with the site's session timeout, is a property of
one token object and lives in ``token_object.ttl_matches_site``.)
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.evidence import Observation
from conformance.findings import Finding, judge, skipped


@dataclass(frozen=True)
class Issuance:
    """A token issued for a session token, and the session token information tied it to."""

    label: str
    session_id: str | None
    evidence: tuple[Observation, ...]


def new_session_each_time(requirement: str, issuances: list[Issuance]) -> Finding:
    """EX-NEW-SESSION, SH-NEW-SESSION: no two issuances share a shopper session."""
    evidence = tuple(o for issuance in issuances for o in issuance.evidence)
    known = [issuance for issuance in issuances if issuance.session_id is not None]
    if len(known) < 2:
        return skipped(requirement, "fewer than two issued tokens had a sessionId in token "
                       "information, so sessions could not be compared", *evidence)

    first_label: dict[str, str] = {}
    shared: list[str] = []
    for issuance in known:
        assert issuance.session_id is not None
        if issuance.session_id in first_label:
            shared.append(f"{issuance.label} got the session of {first_label[issuance.session_id]}")
        else:
            first_label[issuance.session_id] = issuance.label

    return judge(
        requirement,
        not shared,
        f"{len(known)} issuances bound to {len(known)} different shopper sessions",
        "; ".join(shared) or f"{len(first_label)} different sessions",
        *evidence,
    )
