"""Fixtures for the reference implementation's own tests: real servers on loopback ports.

Every test talks HTTP to a :class:`ReferenceServer` over a real socket, as the suite does.
Tests that read or change time get a server of their own on a :class:`ManualClock`, so
that a moved clock never leaks into another test and lifetimes come out exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from reference_helpers import Flows

from conformance.reference.clock import ManualClock
from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    """One fault-free reference shared by a module's tests that do not move its clock."""
    with ReferenceServer(ReferenceConfig()) as running:
        yield running


def plain_http_client(base_url: str) -> httpx.Client:
    # verify=False: the reference speaks plain HTTP on loopback, and building the default
    # TLS context costs a tenth of a second per client.
    return httpx.Client(base_url=base_url, timeout=10, verify=False)


@pytest.fixture(scope="module")
def http(server: ReferenceServer) -> Iterator[httpx.Client]:
    with plain_http_client(server.base_url) as client:
        yield client


@pytest.fixture
def flows(server: ReferenceServer, http: httpx.Client) -> Flows:
    return Flows(http, server.config)


@pytest.fixture
def start_reference() -> Iterator[Callable[..., tuple[ReferenceServer, Flows]]]:
    """Starts a reference of the test's own (config, clock); all are stopped afterwards."""
    started: list[tuple[ReferenceServer, httpx.Client]] = []

    def start(config: ReferenceConfig | None = None,
              clock: ManualClock | None = None) -> tuple[ReferenceServer, Flows]:
        running = ReferenceServer(config or ReferenceConfig(), clock=clock).start()
        client = plain_http_client(running.base_url)
        started.append((running, client))
        return running, Flows(client, running.config)

    yield start
    for running, client in started:
        client.close()
        running.stop()
