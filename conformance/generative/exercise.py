"""Sending one generated request and judging its answer, for every schemathesis test.

The stateless and the link-driven tests share this: the request budget is checked before
each request, a request that gets no answer is a finding rather than a crash of the test,
the tokens an answer hands out are registered with the run, and schemathesis's checks run on
the answer with their failures recorded, never raised. Raising would make hypothesis shrink
the example, which costs the target many more requests for a curl the first failure already
gives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from conformance.client import TokenLedger, register_tokens
from conformance.evidence import Observation, Redactor
from conformance.generative.findings import (
    NEGATIVE_REJECTED,
    RESPONSE_SCHEMA,
    SERVER_ERROR,
    UNKNOWN_CLIENT,
    FailureBook,
    requirement_for,
)
from conformance.generative.observe import (
    basic_credentials,
    curl_command,
    failed_observation,
    observation_of,
)
from conformance.generative.settings import RequestBudget

log = logging.getLogger("conformance")

# The probes of schemathesis's ignored_auth check: one request without credentials, one
# with made-up ones.
AUTH_PROBES = 2
MESSAGE_LIMIT = 600


class BudgetSpent(BaseException):
    """The test's request budget is spent: stop generating.

    A BaseException on purpose: hypothesis treats an Exception as a failing example and
    replays it, which would cost requests; anything else ends the run at once.
    """


@dataclass
class Exercise:
    """One generated test's view of the run: where requests go, what they cost, what
    they found."""

    book: FailureBook
    budget: RequestBudget
    redactor: Redactor
    ledger: TokenLedger
    target_client: str | None
    timeout: float
    session: requests.Session = field(default_factory=requests.Session)
    auth_checked: set[str] = field(default_factory=set)
    # Why generation ended before its examples were all sent, other than the budget.
    stopped_early: str | None = None
    on_answer: list[Callable[[Any, Any, Observation], None]] = field(default_factory=list)

    def call_kwargs(self) -> dict[str, Any]:
        return {"session": self.session, "timeout": self.timeout}

    def send(self, case: Any, **kwargs: Any) -> Any | None:
        """Send a generated case; None when it got no answer (recorded as a finding)."""
        if not self.budget.spend(1):
            raise BudgetSpent
        try:
            return case.call(**{**self.call_kwargs(), **kwargs})
        except requests.RequestException as exc:
            self._no_answer(case, exc)
            return None
        finally:
            # Cookies of one answer must not ride along with the next generated request,
            # or its curl would not reproduce it.
            self.session.cookies.clear()

    def judge(self, case: Any, response: Any, *, excluded: list[Any],
              recorder: Any = None) -> None:
        """Run schemathesis's checks on an answer and record what they find."""
        observation = observation_of(response, f"generated {case.operation.label}")
        register_tokens(observation, self.redactor, self.ledger)
        self.book.sent(SERVER_ERROR, RESPONSE_SCHEMA)
        phase, mode = _phase_and_mode(case)
        self.book.phases[phase] += 1
        self.book.modes[mode] += 1
        if mode == "negative":
            self.book.sent(NEGATIVE_REJECTED)
        self._validate(case, response, observation, excluded_checks=excluded,
                       recorder=recorder)
        for listener in self.on_answer:
            listener(case, response, observation)

    def check_authentication(self, case: Any, response: Any) -> None:
        """schemathesis's ignored_auth check, once per secured operation.

        It repeats a successful request without credentials and with made-up ones; once per
        operation is enough to know whether the target checks them, as schemathesis's own
        runner does it.
        """
        from schemathesis.checks import ignored_auth

        label = case.operation.label
        if (not _requires_credentials(case.operation.definition.raw)
                or label in self.auth_checked or not 200 <= response.status_code < 300):
            return
        if not self.budget.spend(AUTH_PROBES):
            return
        self.auth_checked.add(label)
        self.book.sent(UNKNOWN_CLIENT)
        self._validate(case, response, observation_of(response, f"generated {label}"),
                       checks=[ignored_auth])

    def close(self) -> None:
        self.session.close()

    def _validate(self, case: Any, response: Any, observation: Observation,
                  **checks: Any) -> None:
        from schemathesis.core.failures import Failure, FailureGroup

        try:
            case.validate_response(response, transport_kwargs=self.call_kwargs(), **checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                self._record(case, response, observation, failure)
        except Failure as failure:
            self._record(case, response, observation, failure)

    def _record(self, case: Any, response: Any, observation: Observation, failure: Any) -> None:
        requirement = requirement_for(
            str(failure.code), response.status_code,
            presented_client=_basic_user(response.request.headers.get("Authorization")),
            target_client=self.target_client)
        message = str(failure.message)
        if len(message) > MESSAGE_LIMIT:
            message = message[:MESSAGE_LIMIT] + "..."
        self.book.add(requirement, code=str(failure.code), title=str(failure.title),
                      operation=case.operation.label, message=message,
                      reproduction=curl_command(case, response, self.redactor),
                      evidence=observation)
        log.debug("%s: %s %s", case.operation.label, failure.code, failure.title)

    def _no_answer(self, case: Any, error: BaseException) -> None:
        request = getattr(error, "request", None)
        observation = failed_observation(request, error, f"generated {case.operation.label}")
        self.book.sent(SERVER_ERROR)
        self.book.add(SERVER_ERROR, code="no answer", title=type(error).__name__,
                      operation=case.operation.label, message=str(error),
                      reproduction=curl_command(case, None, self.redactor),
                      evidence=observation)


def _requires_credentials(operation: dict[str, Any]) -> bool:
    """Whether the description requires credentials (an empty alternative makes them
    optional, as token information's bearer header is)."""
    security = operation.get("security")
    return isinstance(security, list) and bool(security) and all(security)


def _phase_and_mode(case: Any) -> tuple[str, str]:
    """The schemathesis phase that made a case, and whether its data is valid."""
    meta = getattr(case, "meta", None)
    if meta is None:
        return "unknown", "unknown"
    mode = "negative" if meta.generation.mode.is_negative else "positive"
    return str(getattr(meta.phase.name, "value", meta.phase.name)), mode


def _basic_user(authorization: str | None) -> str | None:
    credentials = basic_credentials(authorization)
    return None if credentials is None else credentials.partition(":")[0]
