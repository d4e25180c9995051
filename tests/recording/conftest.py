"""Fixtures for the cassette tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from recording_helpers import Mutating

from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer


@pytest.fixture
def serve() -> Iterator[Callable[..., ReferenceServer]]:
    """Starts reference servers (optionally wrapped) and stops them after the test."""
    started: list[ReferenceServer] = []

    def start(config: ReferenceConfig | None = None, **wrap: Any) -> ReferenceServer:
        server = ReferenceServer(config or ReferenceConfig())
        if wrap:
            server.app = Mutating(server.app, **wrap)  # type: ignore[assignment]
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
