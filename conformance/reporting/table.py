"""The requirement table printed at the end of a run, one line per requirement."""

from __future__ import annotations

from conformance.catalogue import Catalogue
from conformance.findings import Outcome
from conformance.verdicts import VerdictLog

_MARK = {
    Outcome.PASSED: "pass",
    Outcome.FAILED: "FAIL",
    Outcome.WARNING: "warn",
    Outcome.SKIPPED: "skip",
    Outcome.RECORDED: "note",
}


def requirement_table(log: VerdictLog, catalogue: Catalogue) -> list[str]:
    verdicts = log.verdicts(catalogue)
    width = max(len(requirement_id) for requirement_id in verdicts)
    lines = []
    for requirement in catalogue.requirements:
        verdict = verdicts[requirement.id]
        note = _note(log, requirement.id, verdict)
        lines.append(f"{_MARK[verdict]:4}  {requirement.id:{width}}  {requirement.level.value:6}  "
                     f"{note}")
    counts = {outcome: list(verdicts.values()).count(outcome) for outcome in Outcome}
    lines.append(", ".join(f"{counts[o]} {o.value.lower()}" for o in Outcome))
    return lines


def _note(log: VerdictLog, requirement_id: str, verdict: Outcome) -> str:
    """What a reader needs on one line: why it failed, warned, was skipped or what was seen."""
    if verdict is Outcome.PASSED:
        return ""
    for entry in log.entries:
        if entry["requirement"] == requirement_id and entry["outcome"] == verdict.value:
            return " ".join(str(entry["observed"]).split())[:110]
    return "not exercised in this run"
