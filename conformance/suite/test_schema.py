"""Generated requests against the OpenAPI description (profile schema).

Every operation of ``specs/openapi.yaml`` gets schemathesis's made-up requests, valid and
invalid, in all its phases; then sequences follow the description's links from the site
action through the exchange to token information, refresh and revocation. Each answer is
judged against the description (SC-RESPONSE-SCHEMA), for server errors (HY-NO-SERVER-ERROR)
and for invalid requests it accepted (SC-NEGATIVE-REJECTED, a warning).
"""

from __future__ import annotations

import pytest

from conformance.generative.plugin import GenerativeRun, Judge
from conformance.generative.schema import operation_ids
from conformance.generative.stateful import run_sequences
from conformance.generative.stateless import run_operation

pytestmark = [pytest.mark.generative, pytest.mark.profile("schema")]

STATELESS_REQUIREMENTS = ("HY-NO-SERVER-ERROR", "SC-RESPONSE-SCHEMA", "SC-NEGATIVE-REJECTED",
                          "EX-UNKNOWN-CLIENT", "EX-BAD-SECRET")
LINKED_REQUIREMENTS = ("HY-NO-SERVER-ERROR", "SC-RESPONSE-SCHEMA", "SC-NEGATIVE-REJECTED",
                       "TI-REVOKE")


@pytest.mark.requirement(*STATELESS_REQUIREMENTS)
@pytest.mark.parametrize("operation_id", operation_ids())
def test_generated_requests(operation_id: str, generative: GenerativeRun, judge: Judge) -> None:
    name = f"generated requests to {operation_id}"
    exercise = generative.exercise(name)
    run_operation(generative.schema(), operation_id, exercise,
                  generative.settings.seed_for(name))
    for finding in exercise.book.findings(STATELESS_REQUIREMENTS,
                                          generative.skip_reason(exercise.budget)):
        judge(finding)


@pytest.mark.requirement(*LINKED_REQUIREMENTS)
def test_linked_sequences(generative: GenerativeRun, judge: Judge) -> None:
    name = "sequences along the description's links"
    exercise = generative.exercise(name)
    run_sequences(generative.schema(site_bound=True), exercise,
                  seed=generative.settings.seed_for(name), scenarios=generative.examples,
                  steps=generative.settings.steps)
    for finding in exercise.book.findings(LINKED_REQUIREMENTS,
                                          generative.skip_reason(exercise.budget)):
        judge(finding)
