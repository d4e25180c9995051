"""pytest options and fixtures of the generative layer.

Loaded with the suite's plugin (``conformance.plugin`` lists it in ``pytest_plugins``).
Options, each with an environment variable for pipelines:

``--request-budget N`` (``DR_REQUEST_BUDGET``)
    requests all generated tests together may send; 400 by default off loopback,
    unlimited on loopback.
``--max-examples N`` (``DR_MAX_EXAMPLES``)
    fuzzing examples per operation, and workflows per state machine.

The ``generative`` fixture hands a generated test what it needs: the schemathesis schema
bound to the run's target, its share of the budget, and the run's redactor and ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.client import FlowClient, json_members
from conformance.findings import Finding
from conformance.generative.exercise import Exercise
from conformance.generative.findings import FailureBook
from conformance.generative.schema import KnownValues, SchemaSettings, load_schema
from conformance.generative.settings import (
    ENV_BUDGET,
    ENV_MAX_EXAMPLES,
    WORKFLOWS_PER_EXAMPLE,
    GenerativeSettings,
    RequestBudget,
    SettingsError,
    parse_count,
    resolve_settings,
)
from conformance.generative.workflows import World

log = logging.getLogger("conformance")

GENERATED_TESTS = pytest.StashKey[int]()
# Real tokens fetched once per process to mix into generated requests (see KnownValues).
KNOWN_SAMPLES = 2
# Below this share of the budget, no requests are spent on fetching real tokens.
KNOWN_VALUES_MIN_ALLOWANCE = 40


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dr-conformance")
    group.addoption("--request-budget", dest="dr_request_budget", default=None,
                    help="requests the generated tests may send in all; default 400 off "
                         f"loopback, unlimited on loopback [{ENV_BUDGET}]")
    group.addoption("--max-examples", dest="dr_max_examples", default=None,
                    help="fuzzing examples per operation and workflows per state machine "
                         f"[{ENV_MAX_EXAMPLES}]")


def pytest_configure(config: pytest.Config) -> None:
    try:
        parse_count(config.getoption("dr_request_budget"), "--request-budget")
        parse_count(config.getoption("dr_max_examples"), "--max-examples")
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from exc


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Count the generated tests, which share the request budget evenly."""
    config.stash[GENERATED_TESTS] = sum(
        1 for item in items if item.get_closest_marker("generative") is not None)


@dataclass
class GenerativeRun:
    """The generated tests' side of one run (one per pytest process)."""

    state: Any
    client: FlowClient
    settings: GenerativeSettings
    generated_tests: int
    schemas: dict[bool, Any] = field(default_factory=dict)

    @property
    def allowance(self) -> int | None:
        return self.settings.allowance(self.generated_tests)

    @property
    def examples(self) -> int:
        return self.settings.examples_within(self.allowance)

    @property
    def workflows(self) -> int:
        return self.examples * WORKFLOWS_PER_EXAMPLE

    def exercise(self, name: str) -> Exercise:
        target = self.client.target
        return Exercise(book=FailureBook(name), budget=RequestBudget(self.allowance),
                        redactor=self.state.redactor, ledger=self.state.ledger,
                        target_client=target.client_id, timeout=target.timeout)

    def schema(self, *, site_bound: bool = False) -> Any:
        """The description bound to the target (and, for link-driven tests, to its site)."""
        if site_bound not in self.schemas:
            settings = SchemaSettings(seed=self.settings.seed, max_examples=self.examples,
                                      steps=self.settings.steps, known=self._known_values())
            self.schemas[site_bound] = load_schema(self.client.target, settings,
                                                   site_bound=site_bound)
        return self.schemas[site_bound]

    def _known_values(self) -> KnownValues:
        allowance = self.allowance
        if allowance is not None and allowance < KNOWN_VALUES_MIN_ALLOWANCE:
            return KnownValues()
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

    def skip_reason(self, budget: RequestBudget) -> str | None:
        return budget.describe() if budget.exhausted else None


@pytest.fixture(scope="session")
def generative(request: pytest.FixtureRequest, conformance_run: Any,
               client: FlowClient) -> GenerativeRun:
    config = request.config
    settings = resolve_settings(seed=conformance_run.seed,
                                loopback=client.target.is_loopback,
                                budget_option=config.getoption("dr_request_budget"),
                                examples_option=config.getoption("dr_max_examples"))
    run = GenerativeRun(conformance_run, client, settings,
                        config.stash.get(GENERATED_TESTS, 1))
    log.info("generated tests: seed %s, %s examples, request budget %s", settings.seed,
             run.examples, "unlimited" if settings.request_budget is None
             else settings.request_budget)
    return run


Judge = Callable[[Finding], Finding]
