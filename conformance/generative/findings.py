"""What schemathesis finds, as findings on the catalogue's requirements.

Every schemathesis failure has a stable code (``ST101`` server error, ``ST108`` schema
violation, ...). Each code belongs to one requirement:

=====================================  =============================================
failure                                requirement
=====================================  =============================================
any failure on a 5xx answer, ST101,    HY-NO-SERVER-ERROR (MUST): no input, however
ST102, or no answer at all             malformed, gets a 5xx
ST103-ST111 status code, content       SC-RESPONSE-SCHEMA (MUST): answers conform to
type, headers, body                    specs/openapi.yaml
ST201 invalid data accepted, ST203     SC-NEGATIVE-REJECTED (SHOULD, a warning): requests
missing header accepted, ST204/ST205   outside the description are refused
method outside the description
ST301 use after free                   TI-REVOKE (MUST)
ST401 authentication not enforced      EX-UNKNOWN-CLIENT (MUST), or EX-BAD-SECRET when the
                                       client ID sent was the target's own
anything else                          SC-RESPONSE-SCHEMA, naming the failure
=====================================  =============================================

A 5xx answer usually breaks more than one check (its status and body are not described
either); all of that is one server error, so it is judged once, on HY-NO-SERVER-ERROR.

A generated test may send hundreds of requests, so failures are grouped: one finding per
requirement, failure code, operation and answer media type (a schema violation in the XML
answer is a different defect from one in the JSON answer), carrying the first failing
request as evidence and as a curl that sends it again, with how many requests failed the
same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from conformance.evidence import Observation
from conformance.findings import Finding, judge, skipped

SERVER_ERROR = "HY-NO-SERVER-ERROR"
RESPONSE_SCHEMA = "SC-RESPONSE-SCHEMA"
NEGATIVE_REJECTED = "SC-NEGATIVE-REJECTED"
UNKNOWN_CLIENT = "EX-UNKNOWN-CLIENT"
BAD_SECRET = "EX-BAD-SECRET"
REVOKE = "TI-REVOKE"

REQUIREMENT_BY_CODE: dict[str, str] = {
    "ST101": SERVER_ERROR,
    "ST102": SERVER_ERROR,
    **{f"ST1{number:02d}": RESPONSE_SCHEMA for number in range(3, 12)},
    "ST201": NEGATIVE_REJECTED,
    "ST203": NEGATIVE_REJECTED,
    "ST204": NEGATIVE_REJECTED,
    "ST205": NEGATIVE_REJECTED,
    "ST301": REVOKE,
    "ST401": UNKNOWN_CLIENT,
}

EXPECTED: dict[str, str] = {
    SERVER_ERROR: "an answer below 500 to every generated request",
    RESPONSE_SCHEMA: "status code, content type, headers and body as specs/openapi.yaml "
                     "describes them",
    NEGATIVE_REJECTED: "requests that violate specs/openapi.yaml refused with a 4xx",
    UNKNOWN_CLIENT: "token requests without client credentials or with an unknown client "
                    "refused with 401",
    BAD_SECRET: "token requests with a wrong client secret refused with 401",
    REVOKE: "a revoked access token refused afterwards",
}


def requirement_for(code: str, status: int | None, *, presented_client: str | None = None,
                    target_client: str | None = None) -> str:
    """The requirement a schemathesis failure (by code) on an answer (by status) breaks."""
    if status is not None and status >= 500:
        return SERVER_ERROR
    requirement = REQUIREMENT_BY_CODE.get(code, RESPONSE_SCHEMA)
    if requirement == UNKNOWN_CLIENT and presented_client and presented_client == target_client:
        return BAD_SECRET
    return requirement


@dataclass
class _Group:
    """Failures of one kind on one operation: the first as evidence, and how many."""

    requirement: str
    code: str
    title: str
    operation: str
    media_type: str
    message: str
    reproduction: str
    evidence: Observation | None
    count: int = 1


@dataclass
class FailureBook:
    """The failures one generated test saw, grouped, and what it exercised."""

    name: str
    groups: dict[tuple[str, str, str, str], _Group] = field(default_factory=dict)
    exercised: dict[str, int] = field(default_factory=dict)
    # Cases sent, by schemathesis phase (examples, coverage, fuzzing, stateful) and by
    # generation mode (positive: valid data, negative: invalid data).
    phases: Counter[str] = field(default_factory=Counter)
    modes: Counter[str] = field(default_factory=Counter)

    def sent(self, *requirements: str) -> None:
        """A request went out that the given requirements judge."""
        for requirement in requirements:
            self.exercised[requirement] = self.exercised.get(requirement, 0) + 1

    def add(self, requirement: str, *, code: str, title: str, operation: str, message: str,
            reproduction: str, evidence: Observation | None) -> None:
        media_type = "no answer"
        if evidence is not None and evidence.response is not None:
            media_type = evidence.response.content_type or "no content type"
        key = (requirement, code, operation, media_type)
        group = self.groups.get(key)
        if group is not None:
            group.count += 1
            return
        self.groups[key] = _Group(requirement, code, title, operation, media_type, message,
                                  reproduction, evidence)

    def describe_cases(self) -> str:
        """What was sent, by phase and by kind of data, for the report."""
        parts = [f"{phase} {count}" for phase, count in sorted(self.phases.items())]
        parts += [f"{mode} {count}" for mode, count in sorted(self.modes.items())]
        return ", ".join(parts)

    def failed(self, requirement: str) -> bool:
        return any(group.requirement == requirement for group in self.groups.values())

    def findings(self, requirements: Iterable[str], skip_reason: str | None = None,
                 ) -> list[Finding]:
        """One finding per failure group; one passing finding for each requirement that was
        exercised without a failure; a skip note when the test was cut short, on the
        requirements it judged (on all of them when it judged none)."""
        found = [_finding(group) for group in self.groups.values()]
        noted = [r for r in requirements if r in self.exercised] or list(requirements)
        for requirement in requirements:
            if skip_reason is not None and requirement in noted:
                found.append(skipped(requirement, f"{self.name}: {skip_reason}"))
            if self.failed(requirement):
                continue
            count = self.exercised.get(requirement, 0)
            if count:
                cases = self.describe_cases()
                found.append(judge(requirement, True, EXPECTED.get(requirement, requirement),
                                   f"{self.name}: judged on {count} answer(s) to generated "
                                   "requests, none broke it"
                                   + (f" (cases: {cases})" if cases else "")))
        return found


def _finding(group: _Group) -> Finding:
    times = "once" if group.count == 1 else f"{group.count} times"
    message = " ".join(group.message.split())
    observed = (f"{group.operation} ({group.media_type}): {group.code} {group.title} "
                f"({times}): {message}; reproduce with: {group.reproduction}")
    # Reports shorten the observed text; the evidence's label keeps the whole curl.
    evidence = () if group.evidence is None else (
        replace(group.evidence, label=f"first failing request; reproduce with: "
                                      f"{group.reproduction}"),)
    return judge(group.requirement, False,
                 EXPECTED.get(group.requirement, group.requirement), observed, *evidence)
