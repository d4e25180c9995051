"""Helpers for the generative layer's tests: the run command as a user starts it, and the
embedded reference served in this process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer
from conformance.target import Target


@dataclass(frozen=True)
class RunResult:
    status: int
    stdout: str
    stderr: str
    report_dir: Path

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "report.json").read_text())
        return data

    def verdicts(self) -> dict[str, str]:
        return {r["id"]: r["verdict"] for r in self.report["requirements"]}

    def findings(self) -> list[dict[str, Any]]:
        return [f for r in self.report["requirements"] for f in r["findings"]]


RunCommand = Callable[..., RunResult]


@pytest.fixture
def run_command(tmp_path: Path) -> RunCommand:
    """Runs ``dr-conformance run ...`` in a fresh process, as a pipeline would."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> RunResult:
        report_dir = tmp_path / f"report-{len(list(tmp_path.iterdir()))}"
        completed = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--report-dir", str(report_dir),
             *args],
            capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
            env=None if env is None else {**os.environ, **env},
        )
        return RunResult(completed.returncode, completed.stdout, completed.stderr, report_dir)

    return run


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
