"""The generative layer: requests and workflows the suite makes up, judged by requirement.

Two generators drive the target beside the hand-written scenarios:

* schemathesis, from ``specs/openapi.yaml``: every operation with made-up data (the
  examples, coverage and fuzzing phases, valid and invalid data), and sequences that follow
  the description's links (session token, exchange, token information, refresh or
  revocation);
* a hypothesis state machine of shopper workflows (``workflows``), which speaks the flows
  through the suite's own client and checks the product's invariants after every step.

Everything they find becomes a finding on a catalogue requirement (``findings``), recorded in
the same report as the scenario checks. Runs replay from the run's seed, and off loopback
they stay within a request budget (``settings``).
"""

from __future__ import annotations
