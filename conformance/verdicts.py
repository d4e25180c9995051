"""The run's findings, kept as they are recorded, and the verdict of every requirement.

Findings are serialised (and redacted) the moment they are recorded, so what a worker
process hands to the controller under pytest-xdist is the same plain data the reports are
written from, and no secret outlives the redactor's reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.catalogue import Catalogue, Level
from conformance.evidence import Observation, Redactor
from conformance.findings import SEVERITY, Finding, Outcome

BODY_LIMIT = 2000
TEXT_LIMIT = 300


def observation_to_dict(observation: Observation, redactor: Redactor) -> dict[str, Any]:
    clean = redactor.observation(observation)
    request = clean.request
    entry: dict[str, Any] = {
        "label": clean.label,
        "request": {"method": request.method, "url": request.url,
                    "headers": dict(request.headers), "body": _cut(request.body)},
    }
    if clean.response is None:
        entry["error"] = clean.error
    else:
        entry["response"] = {"status": clean.response.status,
                             "headers": dict(clean.response.headers),
                             "body": _cut(clean.response.body)}
    return entry


def _cut(text: str, limit: int = BODY_LIMIT) -> str:
    """Shortens text that has already been redacted (never before: see checks.common)."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def finding_to_dict(finding: Finding, redactor: Redactor, test: str) -> dict[str, Any]:
    return {
        "requirement": finding.requirement,
        "outcome": finding.outcome.value,
        "expected": _cut(redactor.text(finding.expected), TEXT_LIMIT),
        "observed": _cut(redactor.text(finding.observed), TEXT_LIMIT),
        "test": test,
        "evidence": [observation_to_dict(o, redactor) for o in finding.evidence],
    }


@dataclass
class VerdictLog:
    """Every finding of the run, as plain redacted dicts."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, finding: Finding, redactor: Redactor, test: str) -> dict[str, Any]:
        entry = finding_to_dict(finding, redactor, test)
        self.entries.append(entry)
        return entry

    def extend(self, entries: list[dict[str, Any]]) -> None:
        self.entries.extend(entries)

    def verdicts(self, catalogue: Catalogue) -> dict[str, Outcome]:
        """Each requirement's verdict: the worst of its findings, SKIPPED when it had none."""
        verdicts = {requirement_id: Outcome.SKIPPED for requirement_id in catalogue.ids()}
        seen: dict[str, list[Outcome]] = {}
        for entry in self.entries:
            seen.setdefault(entry["requirement"], []).append(Outcome(entry["outcome"]))
        for requirement_id, outcomes in seen.items():
            verdicts[requirement_id] = max(outcomes, key=SEVERITY.__getitem__)
        return verdicts

    def failed_musts(self, catalogue: Catalogue) -> list[str]:
        verdicts = self.verdicts(catalogue)
        return [r.id for r in catalogue.requirements
                if r.level is Level.MUST and verdicts[r.id] is Outcome.FAILED]
