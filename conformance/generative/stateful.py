"""Sequences that follow the description's links: session token, exchange, token
information, refresh or revocation.

The links in ``specs/openapi.yaml`` say which value of one answer feeds which request next
(the session token into the exchange, the access token into token information and
revocation, the refresh token into the refresh grant, a revoked token back into token
information). schemathesis turns them into a hypothesis state machine; this module runs it
against the target with the site action's path bound to the target's site, so sequences
start where a shopper's does.

schemathesis's checks judge every answer. One pair they cannot judge, because the
description allows 200 for token information in general: after a successful revocation,
token information for that token must answer 401 (TI-REVOKE). The machine keeps the tokens
it revoked and judges that pair with the suite's own check.
"""

from __future__ import annotations

import logging
from typing import Any

from hypothesis.errors import Flaky

from conformance.checks import token_info
from conformance.evidence import Observation
from conformance.findings import Outcome
from conformance.generative.exercise import BudgetSpent, Exercise
from conformance.generative.findings import REVOKE
from conformance.generative.observe import curl_command
from conformance.generative.settings import machine_settings

log = logging.getLogger("conformance")

REVOKE_OPERATION = "revokeToken"
INFORMATION_OPERATION = "getTokenInformation"


class RevocationLog:
    """Tokens revoked during the sequences, and the TI-REVOKE verdict on what followed."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.revoked: dict[str, Observation] = {}

    def __call__(self, case: Any, response: Any, observation: Observation) -> None:
        operation_id = case.operation.definition.raw.get("operationId")
        token = _presented_token(case)
        if token is None:
            return
        if operation_id == REVOKE_OPERATION and 200 <= response.status_code < 300:
            self.revoked.setdefault(token, observation)
        elif operation_id == INFORMATION_OPERATION and token in self.revoked:
            self.exercise.book.sent(REVOKE)
            finding = token_info.revoked(self.revoked[token], [observation])
            if finding.outcome is Outcome.FAILED:
                self.exercise.book.add(
                    REVOKE, code="TI-REVOKE", title="revoked token still accepted",
                    operation=case.operation.label, message=finding.observed,
                    reproduction=curl_command(case, response, self.exercise.redactor),
                    evidence=observation)


def _presented_token(case: Any) -> str | None:
    query = case.query if isinstance(case.query, dict) else {}
    token = query.get("token")
    return token if isinstance(token, str) and token else None


def machine_for(schema: Any, exercise: Exercise) -> type[Any]:
    """schemathesis's link-driven state machine, sending and judging through ``exercise``."""
    from schemathesis.checks import ignored_auth

    base: type[Any] = schema.as_state_machine()

    class LinkedSequences(base):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return exercise.call_kwargs()

        def call(self, case: Any, **kwargs: Any) -> Any:
            response = exercise.send(case, **kwargs)
            if response is None:
                # No answer is recorded as a finding; the sequence cannot go on from here.
                from hypothesis import reject

                reject()
            return response

        def validate_response(self, response: Any, case: Any,
                              additional_checks: Any = None, **kwargs: Any) -> None:
            exercise.judge(case, response, excluded=[ignored_auth], recorder=self.recorder)

    return LinkedSequences


def run_sequences(schema: Any, exercise: Exercise, *, seed: int, scenarios: int,
                  steps: int) -> None:
    """Run the link-driven sequences; findings go to ``exercise.book``."""
    import hypothesis
    from hypothesis.stateful import run_state_machine_as_test

    exercise.on_answer.append(RevocationLog(exercise))
    machine = hypothesis.seed(seed)(machine_for(schema, exercise))
    try:
        run_state_machine_as_test(machine, settings=machine_settings(scenarios, steps))
    except BudgetSpent:
        pass
    except Flaky as exc:
        # hypothesis replays the start of earlier sequences while it explores; a target
        # whose state has moved on (a refresh token spent, a token revoked) answers them
        # differently, and hypothesis cannot go on. What was judged until then stands.
        log.warning("link-driven sequences stopped early: %s", str(exc).splitlines()[0])
        exercise.stopped_early = ("the sequences stopped early: the target answered a "
                                  "repeated start of a sequence differently")
