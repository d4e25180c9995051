"""Shopper workflows as a hypothesis state machine, with the product's invariants checked
after every step.

A workflow is what a storefront does over a shopper's visit, in any order hypothesis picks:
get session tokens from the site action, exchange them (fresh, or again), refresh, ask for
token information, revoke, and let time pass. It speaks through the suite's own flow client,
so it runs against any target; time passes by moving the embedded reference's clock, or by
short real waits (at most two seconds, a few times per test) on other targets.

After every step the invariants are checked with the suite's pure checks:

* every exchange is bound to a shopper session no other exchange had (EX-NEW-SESSION);
* ``expires_in`` agrees with the site session timeout (EX-TTL-MATCHES-SITE);
* token information's ``expiresIn`` never exceeds what was issued (TI-EXPIRES-BOUNDED) and
  falls as time passes (TI-EXPIRES-FALLS);
* a revoked access token is refused with 401 (TI-REVOKE);
* no token is ever issued twice (HY-TOKENS-UNIQUE);
* no answer is a 5xx (HY-NO-SERVER-ERROR).

The first failure of each requirement becomes a finding, with the workflow that led to it;
every other check only counts towards one passing finding per requirement. Nothing is
raised inside hypothesis, so no workflow is shrunk or replayed against the target.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import hypothesis
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.checks import hygiene, refresh, token_info, token_object
from conformance.checks.common import is_success
from conformance.checks.invariants import Issuance, new_session_each_time
from conformance.client import FlowClient, json_members
from conformance.evidence import Observation
from conformance.findings import Finding, Outcome, judge, skipped
from conformance.formats import parse_body, session_token_of
from conformance.generative.exercise import BudgetSpent
from conformance.generative.settings import RequestBudget, machine_settings

log = logging.getLogger("conformance")

REQUIREMENTS = ("EX-NEW-SESSION", "EX-TTL-MATCHES-SITE", "TI-EXPIRES-BOUNDED",
                "TI-EXPIRES-FALLS", "TI-REVOKE", "RF-TOKEN-ISSUED", "HY-TOKENS-UNIQUE",
                "HY-NO-SERVER-ERROR")
# Time a step may let pass, and how much of the site session timeout a whole test may use up
# on the embedded reference's clock, so that tokens of the workflows never expire under it.
MAX_STEP_SECONDS = 120
CLOCK_SHARE = 0.25
REAL_WAIT_SECONDS = 2.0
REAL_WAITS_PER_TEST = 3
STEPS_SHOWN = 12


# --- what the checks saw ---------------------------------------------------------------


@dataclass
class Tally:
    """The findings of one requirement: the first that did not pass, and how many did."""

    first_problem: Finding | None = None
    passed: int = 0
    last_pass: Finding | None = None
    skip: Finding | None = None


@dataclass
class InvariantLog:
    """Every check the workflows ran, folded into a few findings per requirement."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    workflows: int = 0

    def add(self, finding: Finding, steps: list[str]) -> None:
        tally = self.tallies.setdefault(finding.requirement, Tally())
        if finding.outcome is Outcome.PASSED:
            tally.passed += 1
            tally.last_pass = finding
        elif finding.outcome is Outcome.SKIPPED:
            tally.skip = tally.skip or finding
        elif tally.first_problem is None:
            tally.first_problem = _with_workflow(finding, steps)

    def findings(self) -> list[Finding]:
        found: list[Finding] = []
        for requirement, tally in self.tallies.items():
            if tally.first_problem is not None:
                found.append(tally.first_problem)
            elif tally.last_pass is not None:
                found.append(judge(requirement, True, tally.last_pass.expected,
                                   f"held in {tally.passed} check(s) over {self.workflows} "
                                   "generated workflow(s)", *tally.last_pass.evidence))
            elif tally.skip is not None:
                found.append(tally.skip)
        return found


def _with_workflow(finding: Finding, steps: list[str]) -> Finding:
    """The finding with the workflow that led to it, in its text and (since reports
    shorten the text) in the label of its first evidence."""
    shown = steps[-STEPS_SHOWN:]
    path = " -> ".join(shown) if len(shown) == len(steps) else "... -> " + " -> ".join(shown)
    evidence = finding.evidence
    if evidence:
        first = evidence[0]
        evidence = (replace(first, label=f"{first.label}; workflow: {path}"), *evidence[1:])
    return replace(finding, observed=f"{finding.observed}; workflow: {path}", evidence=evidence)


# --- what a workflow holds -------------------------------------------------------------


@dataclass
class HeldSessionToken:
    value: str
    label: str


@dataclass
class HeldToken:
    """An access token the workflow holds, with what it knows about it."""

    label: str
    access_token: str
    refresh_token: str | None
    issued_expires_in: int | None
    issue: Observation
    lineage: int
    # The latest token information, and the workflow's clock reading when it was taken.
    last_information: Observation | None = None
    information_mark: float = 0.0
    revocation: Observation | None = None
    superseded: bool = False


@dataclass
class World:
    """What all workflows of one test share: the target, the clock, the budget, the log."""

    client: FlowClient
    budget: RequestBudget
    advance_clock: Callable[[float], None] | None
    session_ttl: int | None
    tolerance: int
    log: InvariantLog = field(default_factory=InvariantLog)
    exchanges: list[Issuance] = field(default_factory=list)
    issued: dict[str, list[str]] = field(default_factory=lambda: {
        "session-token": [], "access-token": [], "refresh-token": []})
    # Seconds the workflows have let pass, on the target's clock.
    elapsed: float = 0.0
    real_waits_left: int = REAL_WAITS_PER_TEST
    labels: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def spend(self) -> None:
        if not self.budget.spend(1):
            raise BudgetSpent

    def clock_left(self) -> float:
        if self.session_ttl is None:
            return float(MAX_STEP_SECONDS * 10)
        return self.session_ttl * CLOCK_SHARE - self.elapsed


class ShopperWorkflows(RuleBasedStateMachine):
    """One shopper's visit; hypothesis chooses the steps and their order."""

    session_tokens = Bundle("session_tokens")
    tokens = Bundle("tokens")
    # Set on the subclass each run makes (see machine_for): hypothesis builds the machine
    # itself, without arguments.
    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        world = self.world
        self.client = world.client
        self.steps: list[str] = []
        self.exchanged: list[HeldSessionToken] = []
        self.held: list[HeldToken] = []
        self.lineages = itertools.count(1)
        world.log.workflows += 1

    # --- steps -------------------------------------------------------------------------

    @initialize(target=tokens)
    def start_visit(self) -> Any:
        """Every visit starts as a shopper's does: a session token, exchanged."""
        held = self.obtain_session_token()
        if not isinstance(held, HeldSessionToken):
            return multiple()
        return self.exchange_fresh(held)

    @rule(target=session_tokens)
    def obtain_session_token(self) -> Any:
        observation = self._call(self.client.session_token, label="workflow: session token")
        value = session_token_of(parse_body(observation.response)) if observation.response \
            else None
        if not is_success(observation) or value is None:
            self.steps.append(f"session token refused ({observation.status})")
            return multiple()
        label = f"session token {next(self.world.labels)}"
        self.world.issued["session-token"].append(value)
        self.steps.append(label)
        return HeldSessionToken(value, label)

    @rule(target=tokens, held=consumes(session_tokens))
    def exchange_fresh(self, held: HeldSessionToken) -> Any:
        self.exchanged.append(held)
        return self._exchange(held, again=False)

    @precondition(lambda self: bool(self.exchanged))
    @rule(target=tokens, data=st.data())
    def exchange_again(self, data: st.DataObject) -> Any:
        held = data.draw(st.sampled_from(self.exchanged), label="session token")
        return self._exchange(held, again=True)

    @rule(target=tokens, token=tokens)
    def refresh(self, token: HeldToken) -> Any:
        if token.refresh_token is None or token.superseded or token.revocation is not None:
            return multiple()
        observation = self._call(self.client.refresh, token.refresh_token,
                                 label=f"workflow: refresh of {token.label}")
        self._check(refresh.refreshed(token.access_token, observation))
        members = json_members(observation)
        access = members.get("access_token")
        if not is_success(observation) or not isinstance(access, str) or not access:
            self.steps.append(f"refresh of {token.label} refused ({observation.status})")
            return multiple()
        # The refresh token is spent; the session may be extended, so earlier readings of
        # expiresIn on this lineage no longer bound the next ones.
        token.superseded = True
        for held in self._lineage(token.lineage):
            held.last_information = None
        new = self._hold(f"refresh of {token.label}", observation, token.lineage)
        self.steps.append(new.label)
        return new

    @rule(token=tokens)
    def inspect(self, token: HeldToken) -> None:
        observation = self._call(self.client.token_information, token.access_token,
                                 label=f"workflow: token information for {token.label}")
        self.steps.append(f"token information for {token.label} ({observation.status})")
        if token.revocation is not None:
            self._check(token_info.revoked(token.revocation, [observation]))
            return
        if not is_success(observation):
            # Expired, or retired by a refresh: neither is judged here.
            return
        self._judge_lifetime(token, observation)

    @rule(token=tokens)
    def revoke(self, token: HeldToken) -> None:
        if token.revocation is not None:
            return
        revocation = self._call(self.client.revoke, token.access_token,
                                label=f"workflow: revocation of {token.label}")
        self.steps.append(f"revocation of {token.label} ({revocation.status})")
        if token.superseded and not is_success(revocation):
            # A target may retire an access token when it is refreshed; then there is
            # nothing left to revoke.
            return
        afterwards = self._call(self.client.token_information, token.access_token,
                                label=f"workflow: token information after revoking "
                                      f"{token.label}")
        self._check(token_info.revoked(revocation, [afterwards]))
        if is_success(revocation):
            token.revocation = revocation

    @rule(seconds=st.integers(min_value=1, max_value=MAX_STEP_SECONDS))
    def let_time_pass(self, seconds: int) -> None:
        # No precondition: whether time may still pass depends on earlier workflows, and
        # hypothesis requires the rules on offer to depend on this workflow's steps alone.
        if not self._may_wait():
            self.steps.append("no time passes (the workflows' share is used up)")
            return
        waited = self._wait(seconds)
        self.steps.append(f"{waited:g} s pass")

    @invariant()
    def no_token_issued_twice(self) -> None:
        for kind, values in self.world.issued.items():
            if values:
                self._check(hygiene.tokens_unique(kind, values))

    # --- helpers -----------------------------------------------------------------------

    def _call(self, method: Callable[..., Observation], *args: Any, label: str) -> Observation:
        self.world.spend()
        observation = method(*args, label=label)
        self._check(hygiene.no_server_error([observation]))
        return observation

    def _check(self, finding: Finding) -> None:
        self.world.log.add(finding, self.steps)

    def _exchange(self, held: HeldSessionToken, *, again: bool) -> Any:
        what = f"exchange {'again ' if again else ''}of {held.label}"
        observation = self._call(self.client.exchange, held.value, label=f"workflow: {what}")
        if not json_members(observation).get("access_token") or not is_success(observation):
            # A repeated exchange may be refused; a fresh one is judged by the scenarios.
            self.steps.append(f"{what} refused ({observation.status})")
            return multiple()
        token = self._hold(what, observation, next(self.lineages))
        self.steps.append(f"{token.label}: {what}")
        self._check(token_object.ttl_matches_site(observation, self.world.session_ttl,
                                                  self.world.tolerance))
        information = self._call(self.client.token_information, token.access_token,
                                 label=f"workflow: token information for {token.label}")
        self.world.exchanges.append(Issuance(token.label, token_info.session_id(information),
                                             (observation, information)))
        self._check(new_session_each_time("EX-NEW-SESSION", self.world.exchanges))
        if is_success(information):
            self._judge_lifetime(token, information)
        return token

    def _hold(self, what: str, observation: Observation, lineage: int) -> HeldToken:
        members = json_members(observation)
        access = str(members["access_token"])
        refresh_token = members.get("refresh_token")
        token = HeldToken(
            label=f"token {next(self.world.labels)}", access_token=access,
            refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token
            else None,
            issued_expires_in=token_object.issued_expires_in(observation), issue=observation,
            lineage=lineage)
        self.world.issued["access-token"].append(access)
        if token.refresh_token is not None:
            self.world.issued["refresh-token"].append(token.refresh_token)
        self.held.append(token)
        return token

    def _lineage(self, lineage: int) -> list[HeldToken]:
        return [token for token in self.held if token.lineage == lineage]

    def _judge_lifetime(self, token: HeldToken, information: Observation) -> None:
        if token.issued_expires_in is None:
            self._check(skipped("TI-EXPIRES-BOUNDED", "the token was issued without a numeric "
                                "expires_in", token.issue))
        else:
            self._check(token_info.expires_bounded(token.issued_expires_in, information,
                                                   token.issue))
        waited = self.world.elapsed - token.information_mark
        if token.last_information is not None and waited >= 1:
            self._check(token_info.expires_falls(token.last_information, information, waited))
        token.last_information = information
        token.information_mark = self.world.elapsed

    def _may_wait(self) -> bool:
        if self.world.advance_clock is not None:
            return self.world.clock_left() > MAX_STEP_SECONDS
        return self.world.real_waits_left > 0

    def _wait(self, seconds: int) -> float:
        if self.world.advance_clock is not None:
            self.world.advance_clock(seconds)
            waited = float(seconds)
        else:
            self.world.real_waits_left -= 1
            waited = min(float(seconds), REAL_WAIT_SECONDS)
            time.sleep(waited)
        self.world.elapsed += waited
        return waited


def machine_for(world: World) -> type[ShopperWorkflows]:
    """The workflows of one test, bound to its world."""

    class WorkflowsOfThisTest(ShopperWorkflows):
        pass

    WorkflowsOfThisTest.world = world
    return WorkflowsOfThisTest


def run_workflows(world: World, *, seed: int, scenarios: int, steps: int) -> list[Finding]:
    """Run the workflows; the findings of every invariant, folded per requirement."""

    try:
        run_state_machine_as_test(hypothesis.seed(seed)(machine_for(world)),
                                  settings=machine_settings(scenarios, steps))
    except BudgetSpent:
        pass
    except Flaky as exc:
        # A target that answers the same steps differently from one workflow to the next
        # (a rate limit, say) leaves hypothesis unable to go on; what was checked stands.
        log.warning("shopper workflows stopped early: %s", str(exc).splitlines()[0])
    return world.log.findings()
