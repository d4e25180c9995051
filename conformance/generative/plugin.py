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
from typing import Any

import pytest

from conformance.client import FlowClient
from conformance.findings import Finding
from conformance.generative.run import GenerativeRun
from conformance.generative.settings import (
    ENV_BUDGET,
    ENV_MAX_EXAMPLES,
    SettingsError,
    parse_count,
    resolve_settings,
)

log = logging.getLogger("conformance")

GENERATED_TESTS = pytest.StashKey[int]()


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


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    """Say the seed, so that any run, failing or not, can be replayed."""
    from conformance.plugin import STATE_KEY

    state = config.stash.get(STATE_KEY, None)
    if state is None or state.is_worker or not state.log.entries:
        return
    terminalreporter.write_line(f"dr-conformance: seed {state.seed} (replay this run with "
                                f"--seed {state.seed})")


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
