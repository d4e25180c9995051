"""The scenario suite under pytest, recording into or replaying from a cassette folder.

``--cassette-dir DIR`` turns cassettes on. What happens then follows pytest-recording's
``--record-mode`` (its default, ``none``, is a replay, as it is for pytest-recording):

- ``none``: replay. The target comes from ``DIR/provenance.json`` (its URLs, site, session
  timeout and the pseudonyms standing for its credentials), the seed is the recording's
  so the suite makes up the same values, the network is blocked, and waiting for time to
  pass takes no time: it reports the wait the recording made;
- ``rewrite`` or ``all``: record afresh; the folder's old cassettes are removed first;
- ``once``: record when the folder has no recording yet, otherwise replay;
- ``new_episodes`` is refused: a recording's pseudonyms come from a key that is gone, so
  new interactions could not be made to agree with the old ones.

Only the scenario tests are recorded; the generated tests are turned off while cassettes
are in use, as their requests are not the same from one run to the next.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import shutil
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.catalogue import load_catalogue
from conformance.recording.cassettes import (
    PROVENANCE_NAME,
    Provenance,
    ProvenanceError,
    RecordingScrubber,
    cassette_files,
    cassette_path,
    quiet_http_logs,
    read_provenance,
    recording_vcr,
    replay_vcr,
    utc_now,
    without_userinfo,
)
from conformance.recording.replay import GUARD
from conformance.recording.scrub import Pseudonyms, learn_credentials

if TYPE_CHECKING:
    from conformance.plugin import RunState

log = logging.getLogger("conformance")

PLUGIN_NAME = "dr-conformance-cassettes"
UNANSWERED = "unanswered"
URL_SETTINGS = ("target_url", "store_url", "api_url")


class Mode(enum.Enum):
    RECORD = "record"
    REPLAY = "replay"


def add_options(group: Any) -> None:
    group.addoption("--cassette-dir", dest="dr_cassette_dir", default=None, metavar="DIR",
                    help="record into or replay from this cassette folder; pytest-recording's "
                         "--record-mode decides which (default none: replay)")


def mode_for(record_mode: str | None, directory: Path) -> Mode:
    if record_mode in (None, "none"):
        return Mode.REPLAY
    if record_mode in ("rewrite", "all"):
        return Mode.RECORD
    if record_mode == "once":
        return Mode.REPLAY if (directory / PROVENANCE_NAME).exists() else Mode.RECORD
    raise pytest.UsageError(
        f"--record-mode={record_mode} cannot be used with --cassette-dir: a recording's "
        "pseudonyms cannot be extended; record afresh with --record-mode=rewrite")


def configure(config: pytest.Config, state: RunState) -> None:
    """Set the run up for its cassettes, when it has any; called once the run state exists."""
    directory = config.getoption("dr_cassette_dir", None)
    if not directory:
        return
    if config.getoption("numprocesses", None):
        raise pytest.UsageError("cassettes are recorded and replayed in one process; "
                                "drop -n/--numprocesses")
    path = Path(directory)
    mode = mode_for(config.getoption("--record-mode", None), path)
    if state.generative:
        log.info("generated tests are off while cassettes are in use")
    state.generative = False
    if mode is Mode.REPLAY:
        _prepare_replay(config, state, path)
    else:
        clear_recording(path)
    session = CassetteSession(path, mode, state)
    session.profiles = tuple(sorted(config.getoption("dr_profiles") or ()))
    config.pluginmanager.register(session, PLUGIN_NAME)


def _prepare_replay(config: pytest.Config, state: RunState, directory: Path) -> None:
    given = [name for name in URL_SETTINGS if state.settings.get(name)]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise pytest.UsageError(f"a replay takes its target from {directory / PROVENANCE_NAME}; "
                                f"drop {flags}")
    try:
        provenance = read_provenance(directory)
    except ProvenanceError as exc:
        raise pytest.UsageError(str(exc)) from None

    from conformance.suite.steps import reseed

    chosen = sorted(config.getoption("dr_profiles") or ())
    if chosen and chosen != sorted(provenance.profiles):
        raise pytest.UsageError(
            f"this recording judged {', '.join(provenance.profiles) or 'every profile'}; "
            "a replay judges the same (drop --profile)")
    config.option.dr_profiles = list(provenance.profiles)
    state.settings.update(provenance.target_settings())
    state.seed = provenance.seed
    reseed(provenance.seed)
    state.replayed_wait = provenance.wait_seconds


def clear_recording(directory: Path) -> None:
    """Remove an earlier recording's cassettes and provenance (and nothing else)."""
    for path in cassette_files(directory):
        path.unlink()
    (directory / PROVENANCE_NAME).unlink(missing_ok=True)
    for folder in sorted((p for p in directory.glob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            shutil.rmtree(folder)


def run_credentials(state: RunState) -> Mapping[str, str | None]:
    """The credentials the run's target was given, by kind, as far as known yet.

    The embedded reference is started inside the first test's setup, so its credentials
    are read from its configuration once it exists, before its first request is sent.
    """
    found: dict[str, str | None] = {
        "api-key": state.settings.get("api_key"),
        "client-id": state.settings.get("client_id"),
        "client-secret": state.settings.get("client_secret"),
    }
    server_config = getattr(state.server, "config", None)
    if server_config is not None:
        found["api-key"] = found["api-key"] or server_config.api_key
        found["client-id"] = found["client-id"] or server_config.client_id
        found["client-secret"] = found["client-secret"] or server_config.client_secret
    return found


class CassetteSession:
    """The pytest hooks that put each test's requests in its own cassette."""

    def __init__(self, directory: Path, mode: Mode, state: RunState) -> None:
        self.directory = directory
        self.mode = mode
        self.state = state
        self.pseudonyms = Pseudonyms()
        self.scrubber = RecordingScrubber(self.pseudonyms, lambda: run_credentials(state))
        self._vcr = recording_vcr(self.scrubber) if mode is Mode.RECORD else replay_vcr()
        self._stack = ExitStack()
        self.profiles: tuple[str, ...] = ()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._stack.enter_context(quiet_http_logs())
        if self.mode is Mode.REPLAY:
            GUARD.start()
            self._stack.callback(GUARD.stop)
        log.info("%s cassettes in %s", "recording" if self.mode is Mode.RECORD else "replaying",
                 self.directory)

    # Fixtures send requests too: the session-scoped client its preflight, a module's
    # shared samples their token requests, all in the setup of the first test using them.
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        path = cassette_path(self.directory, item.path.stem, item.name, setup=True)
        with self._cassette(path, None):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        path = cassette_path(self.directory, item.path.stem, item.name)
        with self._cassette(path, item.nodeid):
            return (yield)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.mode is Mode.RECORD and self.state.target is not None:
            self.provenance().write(self.directory)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._stack.close()

    @contextlib.contextmanager
    def _cassette(self, path: Path, test: str | None) -> Iterator[None]:
        history = self.state.client.history if self.state.client is not None else []
        seen = len(history)
        with self._vcr.use_cassette(str(path)) as cassette:
            try:
                yield
            finally:
                if self.mode is Mode.RECORD:
                    self._label(cassette, test, seen)

    def _label(self, cassette: Any, test: str | None, seen: int) -> None:
        """Note the test a cassette belongs to, and the requests that got no answer.

        A request that failed before an answer (a refused connection, a header the HTTP
        library would not send) leaves no interaction behind; on replay it fails the same
        way, against the network guard, and the note says how many such failures to expect.
        """
        if test is not None:
            cassette.get_metadata("test", test)
        client = self.state.client
        if client is None:
            return
        history = client.history
        start = seen if seen <= len(history) else 0
        unanswered = [{"request": self.pseudonyms.text(f"{o.request.method} {o.request.url}"),
                       "error": self.pseudonyms.text(o.error or "")}
                      for o in history[start:] if o.response is None]
        if unanswered:
            cassette.get_metadata(UNANSWERED, unanswered)

    def provenance(self) -> Provenance:
        """What this recording was made against; credentials only as their pseudonyms."""
        from conformance.plugin import EMBEDDED_WAIT_SECONDS, REAL_WAIT_SECONDS

        target = self.state.target
        assert target is not None
        learn_credentials(self.pseudonyms, {"api-key": target.api_key,
                                            "client-id": target.client_id,
                                            "client-secret": target.client_secret})
        embedded = self.state.server is not None
        return Provenance(
            target_name=target.name,
            store_url=without_userinfo(target.store_url),
            api_url=without_userinfo(target.api_url),
            site_id=target.site_id,
            session_ttl=target.session_ttl,
            session_ttl_tolerance=target.session_ttl_tolerance,
            seed=self.state.seed,
            wait_seconds=EMBEDDED_WAIT_SECONDS if embedded else REAL_WAIT_SECONDS,
            recorded_at=utc_now(),
            catalogue_digest=load_catalogue().digest,
            embedded=embedded,
            faults=tuple(self.state.faults),
            profiles=self.profiles,
            api_key=_pseudonym(self.pseudonyms, target.api_key),
            client_id=_pseudonym(self.pseudonyms, target.client_id),
            client_secret=_pseudonym(self.pseudonyms, target.client_secret),
            pseudonymised=self.pseudonyms.kinds(),
        )


def _pseudonym(pseudonyms: Pseudonyms, value: str | None) -> str | None:
    return pseudonyms.pseudonym(value) if value else None
