"""Project-wide pytest configuration for the project's own tests.

Hypothesis runs derandomized in CI, so a red build is the same red build when re-run;
locally it explores new examples each run. The conformance suite's own generated tests
take their seed from the suite's ``--seed`` option instead.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
