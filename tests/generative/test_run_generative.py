"""``dr-conformance run`` with the generated tests, end to end: the faults only the
generative layer can see, scale-out over pytest-xdist, seeds, and the request budget."""

from __future__ import annotations

import re

import pytest

from conformance.paths import openapi_path
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import FAULTS, Fault
from conformance.reference.server import ReferenceServer
from tests.conftest import RunCommand, RunResult

GENERATIVE_FAULTS = [fault for fault in FAULTS if fault.layer == "generative"]
GENERATED_TESTS = ("test_schema.py::", "test_workflows.py::")
# Which generated test must catch each fault; any other may catch it too.
CAUGHT_BY = {
    "crash-on-control-character": "test_schema.py::test_generated_requests[createToken]",
    "info-locale-number": "test_schema.py::test_generated_requests[getTokenInformation]",
    "revoke-only-newest": "test_workflows.py::test_shopper_workflows",
}
SEED = "20261203"


def failed_tests(result: RunResult, requirement: str) -> set[str]:
    return {f["test"] for r in result.report["requirements"] if r["id"] == requirement
            for f in r["findings"] if f["outcome"] == "FAILED"}


def test_every_generative_fault_is_listed_here() -> None:
    assert sorted(CAUGHT_BY) == sorted(fault.name for fault in GENERATIVE_FAULTS)


@pytest.mark.parametrize("fault", GENERATIVE_FAULTS, ids=lambda fault: fault.name)
def test_generative_faults_are_caught_by_the_generated_tests_only(run_command: RunCommand,
                                                                  fault: Fault) -> None:
    name, breaks = fault.name, fault.breaks
    # The generated run keeps to the profile of the test that must catch the fault; the
    # scenario run is the whole suite, none of which may catch it.
    profile = "exchange" if CAUGHT_BY[name].startswith("test_workflows") else "schema"

    generated = run_command("--seed", SEED, "--profile", profile, "--reference-fault", name)
    scenarios = run_command("--seed", SEED, "--no-generative", "--reference-fault", name)

    assert generated.status == 1, generated.stdout + generated.stderr
    assert generated.report["failed_must"] == [breaks]
    failing = failed_tests(generated, breaks)
    assert all(test.startswith(GENERATED_TESTS) for test in failing), failing
    assert CAUGHT_BY[name] in failing
    _one_reproducible_finding_per_kind(generated)
    assert scenarios.status == 0, scenarios.stdout + scenarios.stderr
    assert scenarios.verdicts()[breaks] in ("PASSED", "SKIPPED")


def _one_reproducible_finding_per_kind(result: RunResult) -> None:
    """Each kind of failure is one finding, reproducible and with no secret in it."""
    failures = [f for f in result.findings() if f["outcome"] == "FAILED"]
    for finding in failures:
        assert finding["evidence"], finding
        label = finding["evidence"][0]["label"]
        assert "reference-secret" not in label + finding["observed"]
        if finding["test"].startswith("test_schema.py::"):
            assert "reproduce with: curl " in label, label
        else:
            assert "workflow: " in label, label
    kinds = [(f["test"], re.sub(r"\((?:\d+ times|once)\).*", "", f["observed"]))
             for f in failures]
    assert len(kinds) == len(set(kinds)), kinds


def test_workers_and_a_serial_run_reach_the_same_verdicts(run_command: RunCommand) -> None:
    serial = run_command("--seed", SEED, "--pytest-arg=--max-examples=6")
    spread = run_command("--seed", SEED, "--pytest-arg=--max-examples=6", "-n", "2")

    assert serial.status == spread.status == 0, spread.stdout + spread.stderr
    assert spread.verdicts() == serial.verdicts()
    assert spread.report["seed"] == serial.report["seed"] == int(SEED)
    # One merged report: findings of every generated test, from whichever worker ran it.
    tests = {f["test"].split("[")[0] for f in spread.findings()}
    assert {"test_schema.py::test_generated_requests", "test_schema.py::test_linked_sequences",
            "test_workflows.py::test_shopper_workflows"} <= tests
    # What each generated test sends depends on the seed alone, not on the worker.
    assert _request_counts(spread, "test_") == _request_counts(serial, "test_")
    assert f"seed {SEED}" in serial.stdout


def _request_counts(result: RunResult, test: str) -> dict[str, str]:
    """What each generated test sent, as its passing findings say."""
    counts = {}
    for finding in result.findings():
        found = re.search(r"(?:judged on|held in) (\d+)", finding["observed"])
        if test in finding["test"] and found:
            counts[f"{finding['requirement']} {finding['test']}"] = found.group(1)
    return counts


def test_a_request_budget_stops_generation_and_is_reported(run_command: RunCommand) -> None:
    result = run_command("--profile", "schema", env={"DR_REQUEST_BUDGET": "70", "CI": "1"})

    assert result.status == 0, result.stdout + result.stderr
    # CI runs are derandomized: seed 0 unless one is given.
    assert result.report["seed"] == 0
    notes = [f for f in result.findings() if f["outcome"] == "SKIPPED"
             and "request budget" in f["observed"]]
    assert notes
    sent = sum(int(count) for key, count in _request_counts(result, "test_").items()
               if key.startswith("HY-NO-SERVER-ERROR"))
    assert 0 < sent <= 70


CANARY_KEY = "CanaryPublicKey7Q9"
CANARY_CLIENT = "CanaryClient4X2"
CANARY_SECRET = "CanarySecret8Z5W"
TOKEN_SHAPES = re.compile(r"\b[0-9A-F]{32}\b|\b[0-9a-f]{64,}\b")


def test_generated_requests_keep_secrets_and_tokens_out_of_reports(
        run_command: RunCommand) -> None:
    config = ReferenceConfig(site_id="canarysite", session_ttl=7200, api_key=CANARY_KEY,
                             client_id=CANARY_CLIENT, client_secret=CANARY_SECRET,
                             faults=frozenset({"info-locale-number"}))
    with ReferenceServer(config) as server:
        result = run_command("--target-url", server.base_url, "--site-id", "canarysite",
                             "--api-key", CANARY_KEY, "--client-id", CANARY_CLIENT,
                             "--client-secret", CANARY_SECRET, "--session-ttl", "7200",
                             "--seed", SEED, "--profile", "schema",
                             "--pytest-arg=--max-examples=8")

    assert result.status == 1, result.stdout + result.stderr
    written = "\n".join([result.stdout, result.stderr, *(
        path.read_text() for path in result.report_dir.rglob("*") if path.is_file())])
    for canary in (CANARY_KEY, CANARY_CLIENT, CANARY_SECRET):
        assert canary not in written
    published = openapi_path().read_text()
    digests = {result.report["spec_sha256"], result.report["catalogue_sha256"]}
    leaked = [found for found in TOKEN_SHAPES.findall(written)
              if found not in digests and found not in published]
    assert leaked == []
    assert "<access-token-" in written
