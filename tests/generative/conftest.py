"""Helpers for the generative layer's tests: the embedded reference served in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer
from conformance.target import Target


def target_of(server: ReferenceServer) -> Target:
    config = server.config
    return Target(store_url=server.base_url, api_url=server.base_url, site_id=config.site_id,
                  api_key=config.api_key, client_id=config.client_id,
                  client_secret=config.client_secret, session_ttl=config.session_ttl,
                  embedded=True)


@pytest.fixture(scope="module")
def reference() -> Iterator[ReferenceServer]:
    """The faultless reference on a loopback port, for this module's tests."""
    with ReferenceServer(ReferenceConfig()) as server:
        yield server


@pytest.fixture
def served() -> Iterator[Callable[..., ReferenceServer]]:
    """Starts the reference with the given faults; stopped after the test."""
    started: list[ReferenceServer] = []

    def start(*faults: str) -> ReferenceServer:
        server = ReferenceServer(ReferenceConfig(faults=frozenset(faults))).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
