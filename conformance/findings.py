"""Typed findings: the verdict of one check on one requirement, with its evidence.

A check reports whether a requirement was met; the requirement's level in the catalogue
turns "not met" into FAILED (MUST), WARNING (SHOULD) or RECORDED (RECORD).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from conformance.catalogue import Level, load_catalogue
from conformance.evidence import Observation


class Outcome(enum.Enum):
    PASSED = "PASSED"
    FAILED = "FAILED"
    WARNING = "WARNING"
    SKIPPED = "SKIPPED"
    RECORDED = "RECORDED"


# When several findings speak of one requirement, the worst one is its verdict.
SEVERITY = {
    Outcome.FAILED: 4,
    Outcome.WARNING: 3,
    Outcome.PASSED: 2,
    Outcome.RECORDED: 1,
    Outcome.SKIPPED: 0,
}


@dataclass(frozen=True)
class Finding:
    requirement: str
    outcome: Outcome
    expected: str
    observed: str
    evidence: tuple[Observation, ...] = ()

    @property
    def is_failure(self) -> bool:
        return self.outcome is Outcome.FAILED

    def describe(self) -> str:
        lines = [
            f"{self.requirement} {self.outcome.value}",
            f"  expected: {self.expected}",
            f"  observed: {self.observed}",
        ]
        lines.extend(f"  evidence: {observation.summary()}" for observation in self.evidence)
        return "\n".join(lines)


def judge(
    requirement: str,
    met: bool,
    expected: str,
    observed: str,
    *evidence: Observation,
) -> Finding:
    """The finding for a check that could decide; the level comes from the catalogue."""
    level = load_catalogue()[requirement].level
    if level is Level.RECORD:
        outcome = Outcome.RECORDED
    elif met:
        outcome = Outcome.PASSED
    else:
        outcome = Outcome.FAILED if level is Level.MUST else Outcome.WARNING
    return Finding(requirement, outcome, expected, observed, tuple(evidence))


def skipped(requirement: str, reason: str, *evidence: Observation) -> Finding:
    """The finding for a check that could not decide; the reason is always given."""
    load_catalogue()[requirement]
    return Finding(requirement, Outcome.SKIPPED, "", reason, tuple(evidence))


def recorded(requirement: str, observed: str, *evidence: Observation) -> Finding:
    load_catalogue()[requirement]
    return Finding(requirement, Outcome.RECORDED, "", observed, tuple(evidence))


def verdict_of(findings: list[Finding]) -> Outcome:
    """The verdict of one requirement from all its findings (worst wins; none is SKIPPED)."""
    if not findings:
        return Outcome.SKIPPED
    return max((finding.outcome for finding in findings), key=SEVERITY.__getitem__)
