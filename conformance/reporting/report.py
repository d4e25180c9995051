"""report.json and JUnit XML for a run: every requirement's verdict with its evidence.

report.json is the machine-readable record a certification rests on: the target, the suite
version, digests of the specification and catalogue, the seed, and for every requirement
its verdict and the findings behind it (evidence redacted).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from conformance import __version__
from conformance.catalogue import Catalogue, Level, load_catalogue
from conformance.findings import Outcome
from conformance.paths import openapi_path
from conformance.verdicts import VerdictLog

if TYPE_CHECKING:
    from conformance.plugin import RunState

REPORT_NAME = "report.json"
JUNIT_NAME = "junit.xml"


def file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def exit_status(log: VerdictLog, catalogue: Catalogue, unusable: str | None) -> int:
    if unusable:
        return 2
    return 1 if log.failed_musts(catalogue) else 0


def build_report(log: VerdictLog, catalogue: Catalogue, *, target: dict[str, Any] | None,
                 seed: int, generative: bool, unusable: str | None,
                 profiles: list[str]) -> dict[str, Any]:
    verdicts = log.verdicts(catalogue)
    requirements = []
    for requirement in catalogue.requirements:
        requirements.append({
            "id": requirement.id,
            "level": requirement.level.value,
            "profile": requirement.profile,
            "endpoint": catalogue.endpoints.get(requirement.endpoint, requirement.endpoint),
            "statement": requirement.statement,
            "sources": list(requirement.sources),
            "verdict": verdicts[requirement.id].value,
            "findings": [e for e in log.entries if e["requirement"] == requirement.id],
        })
    counts = {o.value: sum(1 for v in verdicts.values() if v is o) for o in Outcome}
    return {
        "suite": {"name": "dr-conformance", "version": __version__,
                  "python": platform.python_version()},
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "target": target,
        "seed": seed,
        "generative": generative,
        "profiles": profiles or sorted(catalogue.profiles),
        "spec_sha256": file_digest(openapi_path()),
        "catalogue_sha256": catalogue.digest,
        "unusable": unusable,
        "exit_status": exit_status(log, catalogue, unusable),
        "summary": counts,
        "failed_must": log.failed_musts(catalogue),
        "unjudged_must": [r.id for r in catalogue.requirements
                          if r.level is Level.MUST and verdicts[r.id] is Outcome.SKIPPED],
        "requirements": requirements,
    }


def junit_xml(report: dict[str, Any]) -> bytes:
    """One JUnit test case per requirement: FAILED a failure, SKIPPED a skip."""
    cases = report["requirements"]
    suite = ElementTree.Element(
        "testsuite", name="dr-conformance", tests=str(len(cases)),
        failures=str(sum(c["verdict"] == "FAILED" for c in cases)),
        skipped=str(sum(c["verdict"] == "SKIPPED" for c in cases)), errors="0")
    for case in cases:
        element = ElementTree.SubElement(suite, "testcase", classname=case["profile"],
                                         name=f"{case['id']} [{case['level']}]")
        notes = "\n".join(f"{f['outcome']}: expected {f['expected']}; observed {f['observed']}"
                          for f in case["findings"])
        if case["verdict"] == "FAILED":
            failure = ElementTree.SubElement(element, "failure", message=case["statement"])
            failure.text = notes
        elif case["verdict"] == "SKIPPED":
            ElementTree.SubElement(element, "skipped", message=_skip_reason(case))
        elif notes:
            ElementTree.SubElement(element, "system-out").text = notes
    text: bytes = ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)
    return text


def _skip_reason(case: dict[str, Any]) -> str:
    reasons = [f["observed"] for f in case["findings"] if f["outcome"] == "SKIPPED"]
    return reasons[0] if reasons else "not exercised in this run"


def write_reports(report_dir: str | Path, report: dict[str, Any]) -> Path:
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (directory / JUNIT_NAME).write_bytes(junit_xml(report))
    return directory / REPORT_NAME


def write_run_reports(report_dir: str | Path, state: RunState, exitstatus: int) -> Path:
    from conformance.plugin import target_summary

    report = build_report(state.log, load_catalogue(), target=target_summary(state),
                          seed=state.seed, generative=state.generative,
                          unusable=state.unusable, profiles=state.settings.get("_profiles", []))
    return write_reports(report_dir, report)
