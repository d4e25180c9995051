"""Shopper workflows made up by a hypothesis state machine (profile exchange).

Session tokens, exchanges (fresh and repeated), refreshes, token information, revocations
and time passing, in orders no scenario spells out, with the product's invariants checked
after every step: a new shopper session per exchange, lifetimes that agree with the site
and only fall, revoked tokens refused, no token issued twice.
"""

from __future__ import annotations

import pytest

from conformance.generative.plugin import Judge
from conformance.generative.run import GenerativeRun
from conformance.generative.workflows import REQUIREMENTS

pytestmark = [pytest.mark.generative, pytest.mark.profile("exchange")]


@pytest.mark.requirement(*REQUIREMENTS)
def test_shopper_workflows(generative: GenerativeRun, judge: Judge) -> None:
    for finding in generative.shopper_workflows():
        judge(finding)
