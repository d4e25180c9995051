"""The certification package: report.json and JUnit XML, plus a human-readable certificate
and a manifest of SHA-256 digests that makes later edits to the package evident.

An implementation is certified when every MUST requirement passed; SHOULD requirements
not met are listed as warnings, and a skipped requirement never counts as passed: with a
MUST requirement skipped and none failed, the verdict is INCOMPLETE.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from conformance.reporting.report import JUNIT_NAME, REPORT_NAME

CERTIFICATE_NAME = "certificate.md"
MANIFEST_NAME = "manifest.json"


def certificate_text(report: dict[str, Any]) -> str:
    target = report.get("target") or {}
    verdict = certification_verdict(report)
    lines = [
        "# Conformance certificate: Digital River session-aware access tokens",
        "",
        f"**Verdict: {verdict}**",
        "",
        f"- Target: {target.get('api_url', 'unknown')} (store {target.get('store_url', '?')}, "
        f"site {target.get('site_id', '?')})",
        f"- Site session timeout judged against: {target.get('session_ttl') or 'not given'}",
        f"- Suite: {report['suite']['name']} {report['suite']['version']}",
        f"- Generated: {report['generated']}; seed {report['seed']}; generated tests "
        f"{'on' if report['generative'] else 'off'}",
        f"- Specification SHA-256: {report['spec_sha256']}",
        f"- Catalogue SHA-256: {report['catalogue_sha256']}",
        "",
        "Replay: `dr-conformance certify " + _replay_options(target, report["seed"]) + "`",
        "(credentials from the DR_* environment variables).",
        "",
        "| requirement | level | verdict | observed |",
        "| --- | --- | --- | --- |",
    ]
    for requirement in report["requirements"]:
        note = ""
        if requirement["verdict"] not in ("PASSED",):
            notes = [f["observed"] for f in requirement["findings"]
                     if f["outcome"] == requirement["verdict"]]
            note = " ".join(str(notes[0]).split())[:120] if notes else "not exercised"
        lines.append(f"| {requirement['id']} | {requirement['level']} | "
                     f"{requirement['verdict']} | {note.replace('|', '/')} |")
    lines += ["", f"Summary: {_counts(report['summary'])}.", ""]
    return "\n".join(lines)


def certification_verdict(report: dict[str, Any]) -> str:
    if report["failed_must"]:
        return "NOT CERTIFIED"
    return "INCOMPLETE" if report["unjudged_must"] else "CERTIFIED"


def _replay_options(target: dict[str, Any], seed: int) -> str:
    if target.get("embedded"):
        options = []
    elif target.get("store_url") == target.get("api_url"):
        options = [f"--target-url {target.get('api_url')}"]
    else:
        options = [f"--store-url {target.get('store_url')}", f"--api-url {target.get('api_url')}"]
    if target.get("session_ttl"):
        options.append(f"--session-ttl {target['session_ttl']}")
    options.append(f"--seed {seed}")
    return " ".join(options)


def _counts(summary: dict[str, int]) -> str:
    return ", ".join(f"{count} {name.lower()}" for name, count in summary.items())


def write_certification(report_dir: Path, report: dict[str, Any]) -> Path:
    (report_dir / CERTIFICATE_NAME).write_text(certificate_text(report), encoding="utf-8")
    digests = {name: hashlib.sha256((report_dir / name).read_bytes()).hexdigest()
               for name in (REPORT_NAME, JUNIT_NAME, CERTIFICATE_NAME)}
    package = hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()
    manifest = {"files": digests, "package_sha256": package,
                "certified": certification_verdict(report) == "CERTIFIED"}
    path = report_dir / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def verify_manifest(report_dir: Path) -> list[str]:
    """Names of package files whose content no longer matches the manifest."""
    manifest = json.loads((report_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    return [name for name, digest in manifest["files"].items()
            if hashlib.sha256((report_dir / name).read_bytes()).hexdigest() != digest]
