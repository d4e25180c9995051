"""Fixtures for unit tests of the checks: a flow client whose target is mocked by respx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from conformance.client import FlowClient
from conformance.target import Target

BASE = "https://target.test"

TARGET = Target(store_url=BASE, api_url=BASE, site_id="site1", api_key="public-key-1",
                client_id="client-1", client_secret="secret-1", session_ttl=86400)


@pytest.fixture
def mocked() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def client(mocked: respx.MockRouter) -> Iterator[FlowClient]:
    with FlowClient(TARGET) as flow_client:
        yield flow_client
