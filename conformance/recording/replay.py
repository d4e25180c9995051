"""Replaying cassettes offline: the network guard, and judging the vendor's samples.

A replay must prove that nothing it judged came from the network. vcrpy answers every
request the cassettes hold; the guard below refuses everything else: while it stands, any
name lookup and any attempt to open an internet socket fails, so a request that is not in
the cassettes (outside a cassette, in a fixture, in a thread) fails as a refused
connection instead of quietly reaching a live target.

The vendor-sample folder holds answers the vendor published, not a run of the suite. Each
of its interactions names the requirements it bears on; ``judge_samples`` sends each
request through the flow client with the cassette playing and the network blocked, and
judges the answer with the suite's own checks.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.checks import hygiene, session_token, token_info, token_object
from conformance.client import FlowClient
from conformance.evidence import Observation
from conformance.findings import Finding
from conformance.recording.cassettes import (
    Provenance,
    cassette_files,
    read_cassette,
    read_provenance,
    replay_vcr,
)
from conformance.target import Target

BLOCKED_FAMILIES = (socket.AF_INET, socket.AF_INET6)


class NetworkBlocked(ConnectionRefusedError):
    """A connection was attempted while a replay had the network blocked."""


class NetworkGuard:
    """Refuses every internet connection while active (re-entrant, process-wide)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: dict[str, Any] = {}
        self.refused: list[str] = []

    def start(self) -> None:
        with self._lock:
            self._depth += 1
            if self._depth > 1:
                return
            self._saved = {"connect": socket.socket.connect,
                           "connect_ex": socket.socket.connect_ex,
                           "getaddrinfo": socket.getaddrinfo}
            original_connect = self._saved["connect"]
            original_connect_ex = self._saved["connect_ex"]

            def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
                self.refused.append(f"lookup of {host!r}")
                raise NetworkBlocked(f"network blocked during a cassette replay: lookup of "
                                     f"{host!r} refused")

            def connect(sock: socket.socket, address: Any) -> None:
                self._refuse(sock, address)
                original_connect(sock, address)

            def connect_ex(sock: socket.socket, address: Any) -> int:
                self._refuse(sock, address)
                result: int = original_connect_ex(sock, address)
                return result

            setattr(socket.socket, "connect", connect)  # noqa: B010
            setattr(socket.socket, "connect_ex", connect_ex)  # noqa: B010
            setattr(socket, "getaddrinfo", getaddrinfo)  # noqa: B010

    def stop(self) -> None:
        with self._lock:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth == 0:
                setattr(socket, "getaddrinfo", self._saved.pop("getaddrinfo"))  # noqa: B010
                for name, original in self._saved.items():
                    setattr(socket.socket, name, original)

    @property
    def active(self) -> bool:
        return self._depth > 0

    def _refuse(self, sock: socket.socket, address: Any) -> None:
        if sock.family in BLOCKED_FAMILIES:
            self.refused.append(repr(address))
            raise NetworkBlocked(f"network blocked during a cassette replay: connection to "
                                 f"{address!r} refused")


GUARD = NetworkGuard()


@contextlib.contextmanager
def network_blocked() -> Iterator[None]:
    GUARD.start()
    try:
        yield
    finally:
        GUARD.stop()


def replay_target(provenance: Provenance) -> Target:
    """The target a recording was made against, with the pseudonyms its cassettes hold."""
    return Target(
        store_url=provenance.store_url, api_url=provenance.api_url,
        site_id=provenance.site_id, api_key=provenance.api_key,
        client_id=provenance.client_id, client_secret=provenance.client_secret,
        session_ttl=provenance.session_ttl,
        session_ttl_tolerance=provenance.session_ttl_tolerance)


# --- the vendor's samples ----------------------------------------------------------------

SampleCheck = Callable[[Observation, Target], Finding]

# The checks that judge one answer on its own, by the requirement they decide.
SAMPLE_CHECKS: dict[str, SampleCheck] = {
    "ST-SESSION-TOKEN": lambda o, t: session_token.session_token_issued(o),
    "ST-ONE-CALL-TOKEN": lambda o, t: session_token.one_call_token(o),
    "EX-TOKEN-ISSUED": lambda o, t: token_object.token_issued("EX-TOKEN-ISSUED", o,
                                                              "the exchange"),
    "EX-TOKEN-FIELDS": lambda o, t: token_object.token_fields(o),
    "EX-TOKEN-TYPE-BEARER": lambda o, t: token_object.token_type_bearer(o),
    "EX-EXPIRES-IN-INTEGER": lambda o, t: token_object.expires_in_integer(o),
    "EX-TTL-MATCHES-SITE": lambda o, t: token_object.ttl_matches_site(
        o, t.session_ttl, t.session_ttl_tolerance),
    "TI-FIELDS": lambda o, t: token_info.fields(o),
    "TI-ANONYMOUS": lambda o, t: token_info.anonymous(o),
    "HY-NO-STORE": lambda o, t: hygiene.no_store(o),
}


@dataclass(frozen=True)
class SampleVerdict:
    cassette: str
    sample: str
    source: str
    finding: Finding


def judge_samples(directory: Path) -> list[SampleVerdict]:
    """Every sample answer in a folder, replayed offline and judged by its checks."""
    provenance = read_provenance(directory)
    target = replay_target(provenance)
    verdicts: list[SampleVerdict] = []
    with network_blocked():
        for path in cassette_files(directory):
            verdicts.extend(_judge_cassette(path, directory, target))
    return verdicts


def _judge_cassette(path: Path, directory: Path, target: Target) -> list[SampleVerdict]:
    cassette = read_cassette(path)
    samples = cassette.metadata.get("samples") or []
    if len(samples) != len(cassette.interactions):
        raise ValueError(f"{path}: {len(cassette.interactions)} interactions but "
                         f"{len(samples)} sample descriptions")
    verdicts = []
    with replay_vcr().use_cassette(str(path)), FlowClient(target) as client:
        for interaction, sample in zip(cassette.interactions, samples, strict=True):
            request = interaction.request
            headers = {name: value for name, value in request.headers
                       if name.lower() not in ("host", "content-length")}
            observation = client.send(
                request.method, request.url, content=request.body.encode("utf-8") or None,
                headers=headers, label=str(sample["name"]))
            for requirement in sample["requirements"]:
                finding = SAMPLE_CHECKS[requirement](observation, target)
                verdicts.append(SampleVerdict(str(path.relative_to(directory)),
                                              str(sample["name"]), str(sample["source"]),
                                              finding))
    return verdicts
