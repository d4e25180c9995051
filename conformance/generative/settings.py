"""How much the generated tests may do: examples, requests, seeds.

Generated tests are polite by default. Against a loopback target (the embedded reference or a
local build) nothing limits them but the example counts. Off loopback they run only when
asked (``--generative``), and then within a request budget, 400 requests unless
``--request-budget`` / ``DR_REQUEST_BUDGET`` says otherwise. The budget is split evenly
between the generated tests of the run, so one operation cannot starve the others and the
split does not depend on how pytest-xdist spreads the tests over workers.

A run's seed decides every example: each generated test derives its own seed from the run's
seed and its name, so ``--seed N`` replays the same requests in any order or process.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_OFF_LOOPBACK_BUDGET = 400
# Fuzzing examples per operation and scenarios per state machine against loopback targets;
# chosen so the whole run against the embedded reference stays around a minute on two cores.
DEFAULT_MAX_EXAMPLES = 25
# Steps per scenario of a state machine (hypothesis's stateful_step_count).
DEFAULT_STEPS = 12
# Workflows of the shopper state machine per fuzzing example: a workflow is cheap, and a
# fault that shows only in one order of steps (revoking a token that is not the newest, say)
# needs a few dozen of them to be found reliably.
WORKFLOWS_PER_EXAMPLE = 2
# Requests one fuzzing example costs at most, used to turn a budget into an example count.
REQUESTS_PER_EXAMPLE = 4
ENV_BUDGET = "DR_REQUEST_BUDGET"
ENV_MAX_EXAMPLES = "DR_MAX_EXAMPLES"


class SettingsError(ValueError):
    """An option of the generated tests has a value that cannot be used."""


@dataclass(frozen=True)
class GenerativeSettings:
    """The generated tests' limits for one run.

    ``request_budget`` is None when requests are not limited; ``max_examples`` is the
    fuzzing examples per operation and the scenarios per state machine.
    """

    seed: int
    max_examples: int
    request_budget: int | None
    steps: int = DEFAULT_STEPS

    def allowance(self, generated_tests: int, reserved: int = 0) -> int | None:
        """The requests one generated test may send: an even share of the budget, after
        ``reserved`` requests the tests share."""
        if self.request_budget is None:
            return None
        return max(self.request_budget - reserved, 0) // max(generated_tests, 1)

    def examples_within(self, allowance: int | None) -> int:
        """Fuzzing examples that fit an allowance (never more than ``max_examples``)."""
        if allowance is None:
            return self.max_examples
        return max(1, min(self.max_examples, allowance // REQUESTS_PER_EXAMPLE))

    def seed_for(self, name: str) -> int:
        return derive_seed(self.seed, name)


def derive_seed(seed: int, name: str) -> int:
    """A seed for one generated test: stable across processes, different per test."""
    digest = hashlib.blake2b(f"{seed}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def parse_count(value: object, name: str) -> int | None:
    """A non-negative whole number from an option or environment value; None when unset."""
    if value is None or value == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise SettingsError(f"{name} must not be negative, not {number}")
    return number


def resolve_settings(*, seed: int, loopback: bool, budget_option: object = None,
                     examples_option: object = None,
                     environ: Mapping[str, str] | None = None) -> GenerativeSettings:
    """The run's settings from its options, falling back to the environment, then defaults."""
    environ = os.environ if environ is None else environ
    budget = parse_count(budget_option, "--request-budget")
    if budget is None:
        budget = parse_count(environ.get(ENV_BUDGET), ENV_BUDGET)
    if budget is None and not loopback:
        budget = DEFAULT_OFF_LOOPBACK_BUDGET
    examples = parse_count(examples_option, "--max-examples")
    if examples is None:
        examples = parse_count(environ.get(ENV_MAX_EXAMPLES), ENV_MAX_EXAMPLES)
    if examples == 0:
        raise SettingsError("--max-examples must be at least 1")
    return GenerativeSettings(seed=seed, max_examples=examples or DEFAULT_MAX_EXAMPLES,
                              request_budget=budget)


def machine_settings(scenarios: int, steps: int) -> Any:
    """hypothesis settings for a state machine run against a target.

    Built on hypothesis's default profile, not on whichever is loaded (hypothesis loads a
    "ci" profile by itself in CI), so that one seed makes the same workflows anywhere. Only
    generation: failures are recorded rather than raised, so nothing is shrunk, and no
    example database replays another run's workflows.
    """
    import hypothesis

    return hypothesis.settings(
        hypothesis.settings.get_profile("default"),
        max_examples=scenarios, stateful_step_count=max(steps, 2), deadline=None,
        database=None, derandomize=False, print_blob=False,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet)


class RequestBudget:
    """Requests one generated test may still send; None allows any number.

    ``spend`` is called before each request (with the most the request and the checks that
    repeat it may cost) and says whether it may go out. Requests refused are counted, so the
    test can report what the budget kept it from doing.
    """

    def __init__(self, allowance: int | None) -> None:
        self.allowance = allowance
        self.spent = 0
        self.refused = 0
        self._lock = threading.Lock()

    def spend(self, cost: int = 1) -> bool:
        with self._lock:
            if self.allowance is not None and self.spent + cost > self.allowance:
                self.refused += 1
                return False
            self.spent += cost
            return True

    @property
    def exhausted(self) -> bool:
        return self.refused > 0

    def describe(self) -> str:
        """Why some generated requests were not sent, for a skip reason in the report."""
        return (f"generation stopped when this test's share of the request budget "
                f"({self.allowance} of --request-budget / {ENV_BUDGET}) was spent")
