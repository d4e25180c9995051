"""One operation of the description, exercised with made-up requests in every phase.

schemathesis builds the examples for an operation in three phases: the description's own
examples, its coverage phase (deterministic boundary and missing-value cases, methods the
path does not serve) and fuzzing (hypothesis), each with valid (positive) and invalid
(negative) data. Every case is sent, judged and recorded through an ``Exercise``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from conformance.generative.exercise import BudgetSpent, Exercise

PHASES = ("examples", "coverage", "fuzzing")


def build_test(schema: Any, operation_id: str, exercise: Exercise, seed: int,
               phases: Sequence[str] = PHASES) -> Any:
    """The hypothesis test that sends every generated case of one operation."""
    from schemathesis.checks import ignored_auth
    from schemathesis.generation.hypothesis.builder import (
        HypothesisTestConfig,
        HypothesisTestMode,
        create_test,
    )

    operation = schema.find_operation_by_id(operation_id)
    project = schema.config

    def send_and_judge(case: Any) -> None:
        response = exercise.send(case)
        if response is None:
            return
        exercise.judge(case, response, excluded=[ignored_auth])
        exercise.check_authentication(case, response)

    return create_test(
        operation=operation,
        test_func=send_and_judge,
        config=HypothesisTestConfig(
            project=project,
            modes=[HypothesisTestMode(phase) for phase in phases],
            # hypothesis loads its own "ci" profile when it sees a CI environment; skipping
            # it keeps one seed sending the same requests on a laptop and in CI.
            settings=project.get_hypothesis_settings(operation=operation, phase="fuzzing",
                                                     apply_ci_profile=False),
            apply_ci_profile=False,
            seed=seed,
        ),
    )


def run_operation(schema: Any, operation_id: str, exercise: Exercise, seed: int,
                  phases: Sequence[str] = PHASES) -> None:
    """Send every generated case of one operation; findings go to ``exercise.book``."""
    test = build_test(schema, operation_id, exercise, seed, phases)
    with contextlib.suppress(BudgetSpent):
        test()
