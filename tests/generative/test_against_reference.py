"""The generative layer against the embedded reference, served in this process.

schemathesis, in every phase and with valid and invalid data, finds nothing wrong with the
faultless reference (warnings on the SHOULD requirement aside, which are reported), over
many seeds; XML and JSONP answers are really validated against the description.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

import pytest
import requests

from conformance.client import FlowClient
from conformance.findings import Finding, Outcome
from conformance.generative.exercise import Exercise
from conformance.generative.findings import FailureBook
from conformance.generative.run import OPERATION_REQUIREMENTS, GenerativeRun
from conformance.generative.schema import (
    SchemaSettings,
    load_schema,
    operation_ids,
)
from conformance.generative.settings import GenerativeSettings, RequestBudget
from conformance.generative.stateless import run_operation
from conformance.plugin import RunState
from conformance.reference.server import ReferenceServer
from tests.generative.conftest import target_of

SHOULD = {"SC-NEGATIVE-REJECTED"}


def generative_run(server: ReferenceServer, *, seed: int, examples: int,
                   steps: int) -> GenerativeRun:
    """What the suite's fixture builds, for a reference served by the test."""
    target = target_of(server)
    state = RunState(settings={}, generative=True, seed=seed, faults=())
    state.server = server
    for value, kind in target.secrets().items():
        state.redactor.add(value, kind)
    client = FlowClient(target, redactor=state.redactor, ledger=state.ledger)
    settings = GenerativeSettings(seed=seed, max_examples=examples, request_budget=None,
                                  steps=steps)
    return GenerativeRun(state, client, settings, generated_tests=len(operation_ids()) + 2)


def problems(findings: list[Finding]) -> list[str]:
    return [f.describe() for f in findings
            if f.outcome is Outcome.FAILED
            or (f.outcome is Outcome.WARNING and f.requirement not in SHOULD)]


def test_every_phase_with_valid_and_invalid_data_finds_nothing_wrong(
        reference: ReferenceServer) -> None:
    run = generative_run(reference, seed=20261203, examples=15, steps=10)
    books: list[FailureBook] = []
    for operation_id in operation_ids():
        exercise = run.exercise(operation_id)
        run_operation(run.schema(), operation_id, exercise, seed=7)
        books.append(exercise.book)
    findings = [f for book in books for f in book.findings(OPERATION_REQUIREMENTS)]
    findings += run.linked_sequences() + run.shopper_workflows()

    assert problems(findings) == []
    for book in books:
        assert set(book.phases) >= {"coverage", "fuzzing"}, book.name
        assert set(book.modes) == {"positive", "negative"}, book.name
    # The operations whose description has examples are sent them too.
    assert all("examples" in book.phases for book in books
               if book.name in ("getSessionToken", "createToken"))
    judged = {f.requirement for f in findings if f.outcome is Outcome.PASSED}
    assert {"HY-NO-SERVER-ERROR", "SC-RESPONSE-SCHEMA", "EX-UNKNOWN-CLIENT", "TI-REVOKE",
            "EX-NEW-SESSION", "TI-EXPIRES-BOUNDED", "TI-EXPIRES-FALLS"} <= judged
    # A warning on the SHOULD requirement is reported as a finding, never dropped.
    assert all(f.outcome in (Outcome.PASSED, Outcome.WARNING)
               for f in findings if f.requirement in SHOULD)


def test_twenty_random_seeds_find_nothing_wrong(reference: ReferenceServer) -> None:
    """Fuzzing, link-driven sequences and workflows under 20 random seeds, with reduced
    example counts. The examples and coverage phases do not depend on the seed and run in
    the test above, so each seed runs fuzzing only for single operations."""
    seeds = [random.SystemRandom().randrange(2**32) for _ in range(20)]
    shared = generative_run(reference, seed=0, examples=3, steps=6)
    started = time.monotonic()
    for seed in seeds:
        run = generative_run(reference, seed=seed, examples=3, steps=6)
        run.schemas, run.known = shared.schemas, shared.known_values()
        findings: list[Finding] = []
        for operation_id in operation_ids():
            exercise = run.exercise(operation_id)
            run_operation(run.schema(), operation_id, exercise, seed, phases=["fuzzing"])
            findings += exercise.book.findings(OPERATION_REQUIREMENTS)
        findings += run.linked_sequences() + run.shopper_workflows()
        assert problems(findings) == [], f"seed {seed}"
    # Printed for whoever tunes the example counts (pytest -s); no bound is asserted.
    print(f"20 random seeds in {time.monotonic() - started:.1f} s")


# --- XML and JSONP are validated, not waved through ---------------------------------------

GOOD_TOKEN = {"access_token": "a" * 40, "token_type": "bearer", "expires_in": "3600",
              "refresh_token": "r" * 40}


def _xml(members: dict[str, str]) -> str:
    inner = "".join(f"<{name}>{value}</{name}>" for name, value in members.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><token>{inner}</token>'


def _validate(server: ReferenceServer, content_type: str, body: str) -> list[str]:
    """The failure codes schemathesis reports for a 200 answer of the shopper token route."""
    from schemathesis.checks import response_schema_conformance
    from schemathesis.core.failures import FailureGroup
    from schemathesis.core.transport import Response

    schema = load_schema(target_of(server), SchemaSettings(seed=1, max_examples=1, steps=2))
    case = schema.find_operation_by_id("getShopperToken").Case(query={"apiKey": "k"})
    request = requests.Request("GET", f"{server.base_url}/v1/shoppers/token?apiKey=k")
    response = Response(status_code=200, headers={"content-type": [content_type]},
                        content=body.encode(), request=request.prepare(), elapsed=0.0,
                        verify=True)
    try:
        case.validate_response(response, checks=[response_schema_conformance])
    except FailureGroup as group:
        return [str(failure.code) for failure in group.exceptions]
    return []


@pytest.mark.parametrize(("content_type", "render"), [
    ("application/xml", _xml),
    ("application/javascript", lambda members: f"callback({json.dumps(members)});"),
])
def test_xml_and_jsonp_answers_are_checked_against_the_schema(
        reference: ReferenceServer, content_type: str,
        render: Callable[[dict[str, str]], str]) -> None:
    assert _validate(reference, content_type, render(GOOD_TOKEN)) == []
    wrong = {**GOOD_TOKEN, "token_type": "mac"}
    assert _validate(reference, content_type, render(wrong)) == ["ST108"]


def test_garbage_in_an_xml_answer_is_a_finding(reference: ReferenceServer) -> None:
    assert _validate(reference, "application/xml", "<token><unclosed>") == ["ST110"]


def test_generated_requests_find_a_schema_fault_in_xml_and_jsonp_answers(
        served: Callable[..., ReferenceServer]) -> None:
    server = served("token-type-mac")
    run = generative_run(server, seed=3, examples=15, steps=6)
    exercise = run.exercise("getSessionToken")
    run_operation(run.schema(), "getSessionToken", exercise, seed=3)

    failing = {key[3] for key in exercise.book.groups if key[0] == "SC-RESPONSE-SCHEMA"}
    assert {"application/xml", "application/javascript"} <= failing


def test_a_budget_stops_generation_and_says_so(reference: ReferenceServer) -> None:
    run = generative_run(reference, seed=5, examples=10, steps=4)
    exercise = Exercise(book=FailureBook("budgeted"), budget=RequestBudget(12),
                        redactor=run.state.redactor, ledger=run.state.ledger,
                        target_client="reference-client", timeout=10)
    run_operation(run.schema(), "createToken", exercise, seed=5)

    assert exercise.budget.spent <= 12
    assert exercise.budget.exhausted
    findings = exercise.book.findings(["SC-RESPONSE-SCHEMA"], exercise.budget.describe())
    assert any(f.outcome is Outcome.SKIPPED and "budget" in f.observed for f in findings)
