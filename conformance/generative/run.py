"""One run's generated tests: the schema bound to the target, budgets, and the three
generators (schemathesis per operation, schemathesis along links, the shopper workflows),
each returning its findings for the caller to judge."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.client import FlowClient, json_members
from conformance.findings import Finding, skipped
from conformance.generative.exercise import Exercise
from conformance.generative.findings import FailureBook
from conformance.generative.schema import KnownValues, SchemaSettings, load_schema
from conformance.generative.settings import (
    WORKFLOWS_PER_EXAMPLE,
    GenerativeSettings,
    RequestBudget,
)
from conformance.generative.stateful import run_sequences
from conformance.generative.stateless import run_operation
from conformance.generative.workflows import REQUIREMENTS as WORKFLOW_REQUIREMENTS
from conformance.generative.workflows import World, run_workflows

log = logging.getLogger("conformance")

OPERATION_REQUIREMENTS = ("HY-NO-SERVER-ERROR", "SC-RESPONSE-SCHEMA", "SC-NEGATIVE-REJECTED",
                          "EX-UNKNOWN-CLIENT", "EX-BAD-SECRET")
LINKED_REQUIREMENTS = ("HY-NO-SERVER-ERROR", "SC-RESPONSE-SCHEMA", "SC-NEGATIVE-REJECTED",
                       "TI-REVOKE")
# Real tokens fetched once per process to mix into generated requests (see KnownValues):
# this many session tokens, each exchanged once.
KNOWN_SAMPLES = 2
KNOWN_VALUES_COST = 2 * KNOWN_SAMPLES
# Below this share of the budget per test, no requests are spent on fetching real tokens.
KNOWN_VALUES_MIN_ALLOWANCE = 40


def import_whole_package() -> None:
    """Import every module of the package before anything is generated.

    hypothesis mixes the literals of the local modules loaded in the process into what it
    generates. A pytest-xdist worker, the ``run`` command and a bare pytest process load
    different modules by the time a test starts; with all of them loaded, one seed gives the
    same examples in each.
    """
    import importlib
    import pkgutil

    import conformance

    for module in pkgutil.walk_packages(conformance.__path__, "conformance."):
        importlib.import_module(module.name)


@dataclass(repr=False)
class GenerativeRun:
    """The generated tests' side of one run (one per pytest process).

    ``state`` is the plugin's RunState: its redactor and ledger learn every token the
    generated requests see, and its embedded server (when there is one) lends its clock.
    """

    state: Any
    client: FlowClient
    settings: GenerativeSettings
    generated_tests: int
    schemas: dict[bool, Any] = field(default_factory=dict)
    known: KnownValues | None = None

    def __repr__(self) -> str:
        # pytest prints a failing test's arguments; the run state holds secrets and tokens.
        return (f"GenerativeRun(seed={self.settings.seed}, examples={self.examples}, "
                f"request_budget={self.settings.request_budget})")

    @property
    def allowance(self) -> int | None:
        return self.settings.allowance(self.generated_tests, reserved=KNOWN_VALUES_COST)

    @property
    def examples(self) -> int:
        return self.settings.examples_within(self.allowance)

    @property
    def workflows(self) -> int:
        return self.examples * WORKFLOWS_PER_EXAMPLE

    # --- the three generators --------------------------------------------------------

    def generated_requests(self, operation_id: str) -> list[Finding]:
        """schemathesis's cases for one operation, every phase, valid and invalid data."""
        name = f"generated requests to {operation_id}"
        exercise = self.exercise(name)
        try:
            run_operation(self.schema(), operation_id, exercise, self.settings.seed_for(name))
        finally:
            exercise.close()
        return exercise.book.findings(OPERATION_REQUIREMENTS, _skip_reason(exercise.budget))

    def linked_sequences(self) -> list[Finding]:
        """schemathesis's sequences along the description's links."""
        name = "sequences along the description's links"
        exercise = self.exercise(name)
        try:
            run_sequences(self.schema(site_bound=True), exercise,
                          seed=self.settings.seed_for(name), scenarios=self.examples,
                          steps=self.settings.steps)
        finally:
            exercise.close()
        reason = _skip_reason(exercise.budget) or exercise.stopped_early
        return exercise.book.findings(LINKED_REQUIREMENTS, reason)

    def shopper_workflows(self) -> list[Finding]:
        """The hypothesis state machine of shopper workflows."""
        name = "shopper workflows"
        budget = RequestBudget(self.allowance)
        findings = run_workflows(self.world(budget), seed=self.settings.seed_for(name),
                                 scenarios=self.workflows, steps=self.settings.steps)
        reason = _skip_reason(budget)
        if reason is not None:
            judged = {finding.requirement for finding in findings}
            findings += [skipped(requirement, f"{name}: {reason}")
                         for requirement in WORKFLOW_REQUIREMENTS
                         if requirement in judged or not judged]
        return findings

    # --- what they share -------------------------------------------------------------

    def exercise(self, name: str) -> Exercise:
        target = self.client.target
        return Exercise(book=FailureBook(name), budget=RequestBudget(self.allowance),
                        redactor=self.state.redactor, ledger=self.state.ledger,
                        target_client=target.client_id, timeout=target.timeout)

    def schema(self, *, site_bound: bool = False) -> Any:
        """The description bound to the target (and, for link-driven tests, to its site).

        Link-driven sequences get their tokens through the links alone: a real token mixed
        in would be spent (refreshed, revoked) by one sequence and answer differently when
        hypothesis replays the start of that sequence, which it cannot cope with.
        """
        if site_bound not in self.schemas:
            import_whole_package()
            known = KnownValues() if site_bound else self.known_values()
            settings = SchemaSettings(seed=self.settings.seed, max_examples=self.examples,
                                      steps=self.settings.steps, known=known)
            self.schemas[site_bound] = load_schema(self.client.target, settings,
                                                   site_bound=site_bound)
        return self.schemas[site_bound]

    def known_values(self) -> KnownValues:
        """Real tokens of the target, fetched once (and counted in the budget)."""
        if self.known is None:
            allowance = self.allowance
            fetch = allowance is None or allowance >= KNOWN_VALUES_MIN_ALLOWANCE
            self.known = self._fetch_known_values() if fetch else KnownValues()
        return self.known

    def _fetch_known_values(self) -> KnownValues:
        session_tokens: list[str] = []
        access_tokens: list[str] = []
        refresh_tokens: list[str] = []
        for _ in range(KNOWN_SAMPLES):
            session_token = self.client.new_session_token()
            if session_token is None:
                break
            session_tokens.append(session_token)
            members = json_members(self.client.exchange(
                session_token, label="exchange for generated requests"))
            for value, found in ((members.get("access_token"), access_tokens),
                                 (members.get("refresh_token"), refresh_tokens)):
                if isinstance(value, str) and value:
                    found.append(value)
        return KnownValues(tuple(session_tokens), tuple(access_tokens), tuple(refresh_tokens))

    def world(self, budget: RequestBudget) -> World:
        server = self.state.server
        advance: Callable[[float], None] | None = None
        if server is not None and self.state.replayed_wait is None:
            advance = server.clock.advance
        target = self.client.target
        return World(client=self.client, budget=budget, advance_clock=advance,
                     session_ttl=target.session_ttl, tolerance=target.session_ttl_tolerance)


def _skip_reason(budget: RequestBudget) -> str | None:
    return budget.describe() if budget.exhausted else None
