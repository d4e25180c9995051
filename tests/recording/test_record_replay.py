"""Recording the reference with canary secrets, scanning what was written, replaying offline."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from recording_helpers import Mutating, issued_tokens, replay_suite, target_options, verdicts

from conformance.cli import main
from conformance.recording.cassettes import (
    PROVENANCE_NAME,
    cassette_files,
    read_cassette,
    read_provenance,
)
from conformance.recording.replay import GUARD, NetworkBlocked, network_blocked
from conformance.recording.scrub import same_shape
from conformance.recording.session import Mode, mode_for
from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer

CANARIES = {
    "api-key": "CANARYapikey7Q4X9pk",
    "client-id": "CANARYclient3Z8id",
    "client-secret": "CANARYsecret5W2Kxy",
}
SEED = "20261203"
BASIC = re.compile(r"Basic ([A-Za-z0-9+/=]{8,})")


@dataclass(frozen=True)
class CanaryRecording:
    root: Path
    cassettes: Path
    reports: Path
    status: int
    tokens: frozenset[str]
    base_url: str


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CanaryRecording]:
    """The whole suite recorded against a reference holding canary secrets, with every
    log line of the run at DEBUG level going to a file beside the cassettes."""
    root = tmp_path_factory.mktemp("canary")
    bodies: list[bytes] = []
    server = ReferenceServer(ReferenceConfig(api_key=CANARIES["api-key"],
                                             client_id=CANARIES["client-id"],
                                             client_secret=CANARIES["client-secret"]))
    server.app = Mutating(server.app, spy=bodies)  # type: ignore[assignment]
    handler = logging.FileHandler(root / "run.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with server:
            status = main(["record", *target_options(server), "--seed", SEED,
                           "--cassette-dir", str(root / "cassettes" / "canary"),
                           "--report-dir", str(root / "reports")])
            base_url = server.base_url
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()
    yield CanaryRecording(root, root / "cassettes" / "canary", root / "reports", status,
                          frozenset(issued_tokens(bodies)), base_url)


def test_the_recording_is_complete(canary: CanaryRecording) -> None:
    assert canary.status == 0
    files = cassette_files(canary.cassettes)
    assert len(files) >= 30
    interactions = [i for path in files for i in read_cassette(path).interactions]
    assert len(interactions) >= 100
    assert len(canary.tokens) >= 60, "the spy saw the tokens the reference issued"
    provenance = read_provenance(canary.cassettes)
    assert provenance.seed == int(SEED)
    assert provenance.store_url == canary.base_url
    assert provenance.session_ttl == 86400


def _written(root: Path, captured: str) -> dict[str, str]:
    files = {str(path): path.read_text(encoding="utf-8", errors="replace")
             for path in root.rglob("*") if path.is_file()}
    files["captured console output"] = captured
    return files


def _decoded_basic(text: str) -> list[str]:
    found = []
    for encoded in BASIC.findall(text):
        try:
            found.append(base64.b64decode(encoded, validate=True).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            continue
    return found


def test_no_secret_and_no_issued_token_is_written_anywhere(
        canary: CanaryRecording, capfd: pytest.CaptureFixture[str]) -> None:
    out, err = capfd.readouterr()
    written = _written(canary.root, out + err)
    assert any(name.endswith(PROVENANCE_NAME) for name in written)
    assert any(name.endswith("report.json") for name in written)
    assert any(name.endswith("run.log") for name in written)

    secrets = set(CANARIES.values()) | set(canary.tokens)
    for name, text in written.items():
        texts = [text, *_decoded_basic(text)]
        leaked = {secret for secret in secrets if any(secret in t for t in texts)}
        assert not leaked, f"{name} holds {len(leaked)} secret value(s)"
        assert not any("CANARY" in t for t in texts), f"{name} holds a canary"


def test_basic_credentials_in_the_cassettes_are_the_provenance_pseudonyms(
        canary: CanaryRecording) -> None:
    provenance = read_provenance(canary.cassettes)
    assert provenance.client_id is not None and provenance.client_secret is not None
    assert same_shape(CANARIES["client-id"], provenance.client_id)
    assert same_shape(CANARIES["client-secret"], provenance.client_secret)
    users = set()
    for path in cassette_files(canary.cassettes):
        for decoded in _decoded_basic(path.read_text(encoding="utf-8")):
            users.add(decoded.split(":", 1)[0])
            assert "CANARY" not in decoded
    assert provenance.client_id in users


def test_tokens_keep_their_linkage_in_the_cassettes(canary: CanaryRecording) -> None:
    """A token handed out in one answer is the one a later request presents."""
    cassette = read_cassette(next(p for p in cassette_files(canary.cassettes)
                                  if p.name == "test_token_as_bearer_header.yaml"))
    exchanges = [i for i in cassette.interactions if i.request.url.endswith("/oauth20/token")]
    access_token = json.loads(exchanges[-1].response.body)["access_token"]
    presented = [i.request for i in cassette.interactions
                 if "access-tokens" in i.request.url]
    assert any(access_token in request.url for request in presented)
    assert any(request.header("authorization") == f"Bearer {access_token}"
               for request in presented)
    assert access_token not in canary.tokens
    assert len(access_token) == 160 and set(access_token) <= set("0123456789abcdef")


def test_replay_passes_offline_where_nothing_listens(
        canary: CanaryRecording, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded reference is stopped; its URL refuses connections. The replay judges
    the same requirements with the same verdicts, and never waits for real."""
    host, port = canary.base_url.removeprefix("http://").split(":")
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=1).close()

    real_sleep = time.sleep

    def no_long_sleep(seconds: float) -> None:
        assert seconds < 1, "the replay waited for real"
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", no_long_sleep)
    refused_before = len(GUARD.refused)
    status = replay_suite(canary.cassettes, tmp_path / "replay")
    monkeypatch.undo()

    assert status == 0
    assert verdicts(tmp_path / "replay") == verdicts(canary.reports)
    unanswered = sum(len(read_cassette(p).metadata.get("unanswered", []))
                     for p in cassette_files(canary.cassettes))
    assert len(GUARD.refused) - refused_before == unanswered
    assert not GUARD.active


def test_the_guard_refuses_a_real_connection() -> None:
    with ReferenceServer() as server:
        host, port = server.host, server.port
        socket.create_connection((host, port), timeout=2).close()
        with network_blocked(), pytest.raises(NetworkBlocked):
            socket.create_connection((host, port), timeout=2)
        socket.create_connection((host, port), timeout=2).close()


def test_a_replay_without_recording_is_a_usage_error(tmp_path: Path) -> None:
    assert replay_suite(tmp_path / "nothing", tmp_path / "reports") == \
        pytest.ExitCode.USAGE_ERROR


@pytest.mark.parametrize(("record_mode", "recorded", "mode"), [
    (None, True, Mode.REPLAY), ("none", False, Mode.REPLAY), ("rewrite", True, Mode.RECORD),
    ("all", True, Mode.RECORD), ("once", False, Mode.RECORD), ("once", True, Mode.REPLAY)])
def test_pytest_recording_record_modes(tmp_path: Path, record_mode: str | None,
                                       recorded: bool, mode: Mode) -> None:
    if recorded:
        (tmp_path / PROVENANCE_NAME).write_text("{}", encoding="utf-8")
    assert mode_for(record_mode, tmp_path) is mode


def test_new_episodes_cannot_extend_a_scrubbed_recording(tmp_path: Path) -> None:
    with pytest.raises(pytest.UsageError, match="rewrite"):
        mode_for("new_episodes", tmp_path)
