"""The suite against a target it did not start: options, environment variables, skipped
TTL without a site timeout, secrets kept out of every report, and certification."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer
from conformance.reporting.certification import verify_manifest

CANARY_KEY = "CanaryPublicKey7Q9"
CANARY_CLIENT = "CanaryClient4X2"
CANARY_SECRET = "CanarySecret8Z5W"
TOKEN_SHAPES = re.compile(r"\b[0-9A-F]{32}\b|\b[0-9a-f]{64,}\b")


@pytest.fixture(scope="module")
def canary_reference() -> Iterator[ReferenceServer]:
    config = ReferenceConfig(site_id="canarysite", session_ttl=7200, api_key=CANARY_KEY,
                             client_id=CANARY_CLIENT, client_secret=CANARY_SECRET)
    with ReferenceServer(config) as server:
        yield server


def _credentials(server: ReferenceServer) -> tuple[str, ...]:
    return ("--target-url", server.base_url, "--site-id", "canarysite", "--api-key", CANARY_KEY,
            "--client-id", CANARY_CLIENT, "--client-secret", CANARY_SECRET)


def _everything_written(result: Any) -> str:
    files = [p.read_text() for p in Path(result.report_dir).rglob("*") if p.is_file()]
    return "\n".join([result.stdout, result.stderr, *files])


def test_without_a_site_timeout_ttl_is_skipped_not_passed(run_command: Any,
                                                         canary_reference: ReferenceServer,
                                                         ) -> None:
    result = run_command(*_credentials(canary_reference), "--no-generative")

    assert result.status == 0, result.stdout + result.stderr
    verdicts = result.verdicts()
    assert verdicts["EX-TTL-MATCHES-SITE"] == "SKIPPED"
    reasons = [f["observed"] for r in result.report["requirements"] for f in r["findings"]
               if r["id"] == "EX-TTL-MATCHES-SITE"]
    assert reasons and all("--session-ttl" in reason for reason in reasons)
    assert result.report["target"]["embedded"] is False


def test_secrets_and_tokens_never_reach_reports_or_output(run_command: Any,
                                                         canary_reference: ReferenceServer,
                                                         ) -> None:
    result = run_command(*_credentials(canary_reference), "--session-ttl", "7200",
                         "--no-generative", "--profile", "exchange", "--profile",
                         "token-information")
    written = _everything_written(result)

    assert result.status == 0, result.stdout + result.stderr
    assert result.verdicts()["EX-TTL-MATCHES-SITE"] == "PASSED"
    for canary in (CANARY_KEY, CANARY_CLIENT, CANARY_SECRET):
        assert canary not in written
    digests = {result.report["spec_sha256"], result.report["catalogue_sha256"]}
    assert [found for found in TOKEN_SHAPES.findall(written) if found not in digests] == []
    assert "<access-token-" in written


def test_environment_variables_stand_in_for_options(run_command: Any,
                                                    canary_reference: ReferenceServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DR_TARGET_URL", canary_reference.base_url)
    monkeypatch.setenv("DR_SITE_ID", "canarysite")
    monkeypatch.setenv("DR_CLIENT_ID", CANARY_CLIENT)
    monkeypatch.setenv("DR_CLIENT_SECRET", CANARY_SECRET)
    monkeypatch.setenv("DR_SESSION_TTL", "3600")
    monkeypatch.setenv("DR_GENERATIVE", "0")

    result = run_command("--profile", "exchange")

    # The site's timeout is 7200 s, so the wrong timeout given by the environment must fail.
    assert result.status == 1, result.stdout + result.stderr
    assert result.failed_musts() == ["EX-TTL-MATCHES-SITE"]


def test_certify_without_generated_tests_is_incomplete(run_command: Any,
                                                       canary_reference: ReferenceServer,
                                                       ) -> None:
    result = run_command(*_credentials(canary_reference), "--session-ttl", "7200",
                         "--no-generative", command="certify")

    assert result.status == 0, result.stdout + result.stderr
    assert "**Verdict: INCOMPLETE**" in (result.report_dir / "certificate.md").read_text()
    assert json.loads((result.report_dir / "manifest.json").read_text())["certified"] is False


def test_certify_writes_a_tamper_evident_package(run_command: Any,
                                                 canary_reference: ReferenceServer) -> None:
    result = run_command(*_credentials(canary_reference), "--session-ttl", "7200",
                         command="certify")

    assert result.status == 0, result.stdout + result.stderr
    certificate = (result.report_dir / "certificate.md").read_text()
    assert "**Verdict: CERTIFIED**" in certificate
    assert CANARY_SECRET not in certificate
    manifest = json.loads((result.report_dir / "manifest.json").read_text())
    assert manifest["certified"] is True
    assert verify_manifest(result.report_dir) == []

    assert "every MUST requirement passed" in result.stdout

    report = result.report_dir / "report.json"
    report.write_text(report.read_text().replace('"PASSED"', '"FAILED"', 1))
    assert verify_manifest(result.report_dir) == ["report.json"]
