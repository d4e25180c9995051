"""The pytest plugin: the contract's options, the run's target, and verdict collection.

Registered through the ``pytest11`` entry point, so ``pytest --pyargs conformance.suite``
and the ``run`` command behave the same. With no target given, the embedded reference is
served on a free loopback port for the run. Tests hand findings to the ``judge`` fixture;
a FAILED finding fails the test, a WARNING is reported but passes, a SKIPPED one skips.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.catalogue import load_catalogue
from conformance.checks import hygiene
from conformance.client import FlowClient, TokenLedger
from conformance.evidence import Observation, Redactor
from conformance.findings import Finding, Outcome
from conformance.preflight import TargetUnusable, preflight
from conformance.recording import session as cassettes
from conformance.target import (
    TARGET_OPTIONS,
    Target,
    TargetError,
    resolve_settings,
    target_from_settings,
    wants_embedded,
)
from conformance.verdicts import VerdictLog

log = logging.getLogger("conformance")

# The generative layer's options and fixtures (request budget, schemathesis schema).
pytest_plugins = ["conformance.generative.plugin"]

REAL_WAIT_SECONDS = 2.0
EMBEDDED_WAIT_SECONDS = 30.0


class RequirementFailed(AssertionError):
    """A MUST requirement was not met; the message is the finding, redacted."""


@dataclass
class RunState:
    """What one pytest session knows about the run it is judging."""

    settings: dict[str, Any]
    generative: bool
    seed: int
    faults: tuple[str, ...]
    log: VerdictLog = field(default_factory=VerdictLog)
    ledger: TokenLedger = field(default_factory=TokenLedger)
    redactor: Redactor = field(default_factory=Redactor)
    target: Target | None = None
    client: FlowClient | None = None
    server: Any = None
    unusable: str | None = None
    is_worker: bool = False
    # Set when replaying cassettes: the seconds the recording waited (see conformance.recording).
    replayed_wait: float | None = None

    def record(self, finding: Finding, test: str) -> dict[str, Any]:
        return self.log.add(finding, self.redactor, test)


STATE_KEY = pytest.StashKey[RunState]()


# --- options ---------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dr-conformance", "Digital River session-aware token conformance")
    for spec in TARGET_OPTIONS:
        group.addoption(spec.flag, dest=f"dr_{spec.dest}", default=None, type=spec.kind,
                        help=f"{spec.help} [{spec.env}]")
    group.addoption("--generative", dest="dr_generative", action="store_true", default=None,
                    help="run the generated (schemathesis, hypothesis) tests [DR_GENERATIVE=1]")
    group.addoption("--no-generative", dest="dr_generative", action="store_false",
                    help="skip the generated tests [DR_GENERATIVE=0]")
    group.addoption("--seed", dest="dr_seed", default=None, type=int,
                    help="seed of the generated tests, to replay a run [DR_SEED]")
    group.addoption("--profile", dest="dr_profiles", action="append", default=[],
                    help="judge only this profile (repeatable)")
    group.addoption("--reference-fault", dest="dr_faults", action="append", default=[],
                    help="start the embedded reference with this named fault (repeatable)")
    cassettes.add_options(group)


def _settings(config: pytest.Config) -> dict[str, Any]:
    given = {spec.dest: config.getoption(f"dr_{spec.dest}") for spec in TARGET_OPTIONS}
    return resolve_settings(given)


def _generative(config: pytest.Config, settings: dict[str, Any]) -> bool:
    chosen = config.getoption("dr_generative")
    if chosen is not None:
        return bool(chosen)
    env = os.environ.get("DR_GENERATIVE", "")
    if env in ("0", "1"):
        return env == "1"
    if wants_embedded(settings):
        return True
    try:
        return target_from_settings(settings).is_loopback
    except TargetError:
        return False


def _seed(config: pytest.Config) -> int:
    chosen = config.getoption("dr_seed")
    if chosen is None and os.environ.get("DR_SEED"):
        chosen = int(os.environ["DR_SEED"])
    if chosen is None and os.environ.get("CI"):
        # CI is derandomized: the same examples on every build unless a seed is given.
        chosen = 0
    return int(chosen) if chosen is not None else random.SystemRandom().randrange(2**32)


# --- configuration and collection ------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    catalogue = load_catalogue()
    config.addinivalue_line("markers", "profile(name): the catalogue profile a test judges")
    config.addinivalue_line("markers", "requirement(*ids): requirement IDs a test judges")
    config.addinivalue_line("markers", "generative: a generated test (schemathesis, hypothesis)")
    for profile in catalogue.profiles:
        config.addinivalue_line("markers", f"{_marker(profile)}: profile {profile}")

    try:
        settings = _settings(config)
    except (TargetError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from exc
    seed = _seed(config)
    if hasattr(config, "workerinput"):
        seed = int(config.workerinput.get("dr_seed", seed))
    state = RunState(settings=settings, generative=_generative(config, settings), seed=seed,
                     faults=tuple(config.getoption("dr_faults") or ()),
                     is_worker=hasattr(config, "workerinput"))
    config.stash[STATE_KEY] = state

    from conformance.suite.steps import reseed

    reseed(seed)
    cassettes.configure(config, state)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker uses the controller's seed."""
    node.workerinput["dr_seed"] = node.config.stash[STATE_KEY].seed


def _marker(profile: str) -> str:
    return profile.replace("-", "_")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash[STATE_KEY]
    wanted = set(config.getoption("dr_profiles") or ())
    known = set(load_catalogue().profiles)
    if wanted - known:
        raise pytest.UsageError(f"unknown profile(s) {', '.join(sorted(wanted - known))}; "
                                f"known: {', '.join(sorted(known))}")

    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("profile")
        if marker is not None:
            item.add_marker(_marker(marker.args[0]))
        if wanted and marker is not None and marker.args[0] not in wanted:
            dropped.append(item)
            continue
        if item.get_closest_marker("generative") and not state.generative:
            item.add_marker(pytest.mark.skip(
                reason="generated tests are off (--no-generative, DR_GENERATIVE=0, or a target "
                       "off loopback without --generative)"))
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[STATE_KEY]
    where = "the embedded reference" if wants_embedded(state.settings) else (
        state.settings.get("target_url") or state.settings.get("api_url"))
    return [f"dr-conformance: target {where}, generative "
            f"{'on' if state.generative else 'off'}, seed {state.seed}"]


# --- the target ------------------------------------------------------------------------


def _start_target(state: RunState) -> Target:
    if not wants_embedded(state.settings):
        return target_from_settings(state.settings)

    from conformance.reference.config import ReferenceConfig
    from conformance.reference.faults import parse_faults
    from conformance.reference.server import ReferenceServer

    overrides = {key: state.settings[key] for key in
                 ("site_id", "api_key", "client_id", "client_secret", "session_ttl")
                 if state.settings.get(key)}
    config = ReferenceConfig(faults=parse_faults(state.faults), **overrides)
    server = ReferenceServer(config)
    server.start()
    state.server = server
    return Target(store_url=server.base_url, api_url=server.base_url, site_id=config.site_id,
                  api_key=config.api_key, client_id=config.client_id,
                  client_secret=config.client_secret, session_ttl=config.session_ttl,
                  session_ttl_tolerance=state.settings.get("session_ttl_tolerance") or 60,
                  embedded=True)


def _ensure_target(state: RunState) -> FlowClient:
    if state.unusable:
        pytest.exit(f"target cannot be tested: {state.unusable}", returncode=2)
    if state.client is not None:
        return state.client
    try:
        target = _start_target(state)
    except (TargetError, ValueError) as exc:
        state.unusable = str(exc)
        pytest.exit(f"target cannot be tested: {exc}", returncode=2)
    for value, kind in target.secrets().items():
        state.redactor.add(value, kind)
    client = FlowClient(target, redactor=state.redactor, ledger=state.ledger)
    try:
        preflight(client)
    except TargetUnusable as exc:
        state.unusable = state.redactor.text(str(exc))
        pytest.exit(f"target cannot be tested: {state.unusable}", returncode=2)
    log.info("judging %s", target.describe())
    state.target, state.client = target, client
    return client


@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> RunState:
    return request.config.stash[STATE_KEY]


@pytest.fixture(scope="session")
def client(conformance_run: RunState) -> FlowClient:
    """The flow client for the run's target (started and preflighted on first use)."""
    return _ensure_target(conformance_run)


@pytest.fixture(scope="session")
def target(client: FlowClient) -> Target:
    return client.target


@pytest.fixture(scope="session")
def time_passes(conformance_run: RunState, client: FlowClient) -> Callable[[], float]:
    """Lets time pass for the target: the embedded reference's clock moves, others wait."""

    def wait() -> float:
        if conformance_run.replayed_wait is not None:
            return conformance_run.replayed_wait
        server = conformance_run.server
        if server is not None:
            server.clock.advance(EMBEDDED_WAIT_SECONDS)
            return EMBEDDED_WAIT_SECONDS
        time.sleep(REAL_WAIT_SECONDS)
        return REAL_WAIT_SECONDS

    return wait


FINDINGS_KEY = pytest.StashKey[list[Finding]]()


@pytest.fixture
def judge(request: pytest.FixtureRequest, conformance_run: RunState,
          ) -> Callable[[Finding], Finding]:
    """Records findings; the test fails after its body if any MUST finding failed.

    Every finding of a test is recorded even after the first failure, so one test that
    judges several requirements reports all of them.
    """
    item = request.node
    item.stash[FINDINGS_KEY] = []

    def record(finding: Finding) -> Finding:
        conformance_run.record(finding, item.nodeid)
        item.stash[FINDINGS_KEY].append(finding)
        return finding

    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    findings = item.stash.get(FINDINGS_KEY, [])
    failures = [f for f in findings if f.outcome is Outcome.FAILED]
    if failures:
        redactor = item.config.stash[STATE_KEY].redactor
        raise RequirementFailed("\n".join(redactor.text(f.describe())[:2000] for f in failures))
    if findings and all(f.outcome is Outcome.SKIPPED for f in findings):
        pytest.skip("; ".join(sorted({f.observed for f in findings})))
    return result


# --- the end of the run ----------------------------------------------------------------


def _sweep(state: RunState) -> None:
    """Run-level checks over everything the client saw during the run."""
    client = state.client
    if client is None:
        return
    history: list[Observation] = client.history
    sweep = "run-level sweep"
    state.record(hygiene.no_server_error(history), sweep)
    carrying = [o for o in history if hygiene.carries_any_token(o)]
    for observation in carrying:
        finding = hygiene.no_store(observation)
        if finding.outcome is not Outcome.PASSED or observation is carrying[-1]:
            state.record(finding, sweep)
    for kind, tokens in state.ledger.issued.items():
        if tokens:
            state.record(hygiene.tokens_unique(kind, tokens), sweep)
    state.record(hygiene.shapes(state.ledger.issued), sweep)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return
    _sweep(state)
    if state.client is not None:
        state.client.close()
    if state.server is not None:
        state.server.stop()

    if state.is_worker:
        config.workeroutput["dr_findings"] = state.log.entries  # type: ignore[attr-defined]
        config.workeroutput["dr_unusable"] = state.unusable  # type: ignore[attr-defined]
        config.workeroutput["dr_target"] = _target_summary(state)  # type: ignore[attr-defined]
        return

    report_dir = state.settings.get("report_dir")
    if report_dir:
        from conformance.reporting.report import write_run_reports

        write_run_reports(report_dir, state, exitstatus)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: merge a worker's findings into the controller's log."""
    state = node.config.stash[STATE_KEY]
    output = getattr(node, "workeroutput", {})
    state.log.extend(output.get("dr_findings", []))
    state.unusable = state.unusable or output.get("dr_unusable")
    state.settings.setdefault("_target", output.get("dr_target"))


def _target_summary(state: RunState) -> dict[str, Any] | None:
    if state.target is None:
        return None
    target = state.target
    return {"name": target.name, "store_url": target.store_url, "api_url": target.api_url,
            "site_id": target.site_id, "session_ttl": target.session_ttl,
            "session_ttl_tolerance": target.session_ttl_tolerance,
            "embedded": target.embedded, "faults": list(state.faults)}


def target_summary(state: RunState) -> dict[str, Any] | None:
    return _target_summary(state) or state.settings.get("_target")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config,
                            ) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or state.is_worker or not state.log.entries:
        return
    from conformance.reporting.table import requirement_table

    terminalreporter.section("requirements")
    for line in requirement_table(state.log, load_catalogue()):
        terminalreporter.write_line(line)
