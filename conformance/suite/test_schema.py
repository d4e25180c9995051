"""Generated requests against the OpenAPI description (profile schema).

Every operation of ``specs/openapi.yaml`` gets schemathesis's made-up requests, valid and
invalid, in all its phases; then sequences follow the description's links from the site
action through the exchange to token information, refresh and revocation. Each answer is
judged against the description (SC-RESPONSE-SCHEMA), for server errors (HY-NO-SERVER-ERROR)
and for invalid requests it accepted (SC-NEGATIVE-REJECTED, a warning).
"""

from __future__ import annotations

import pytest

from conformance.generative.plugin import Judge
from conformance.generative.run import LINKED_REQUIREMENTS, OPERATION_REQUIREMENTS, GenerativeRun
from conformance.generative.schema import operation_ids

pytestmark = [pytest.mark.generative, pytest.mark.profile("schema")]


@pytest.mark.requirement(*OPERATION_REQUIREMENTS)
@pytest.mark.parametrize("operation_id", operation_ids())
def test_generated_requests(operation_id: str, generative: GenerativeRun, judge: Judge) -> None:
    for finding in generative.generated_requests(operation_id):
        judge(finding)


@pytest.mark.requirement(*LINKED_REQUIREMENTS)
def test_linked_sequences(generative: GenerativeRun, judge: Judge) -> None:
    for finding in generative.linked_sequences():
        judge(finding)
