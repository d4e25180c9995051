"""Fixtures shared by the project's end-to-end tests: the console script run as a pipeline
runs it, in a fresh process, and its report read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


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

    def failed_musts(self) -> list[str]:
        return list(self.report["failed_must"])


RunCommand = Callable[..., RunResult]


@pytest.fixture
def run_command(tmp_path: Path) -> RunCommand:
    """Runs ``dr-conformance COMMAND --report-dir DIR ARGS...`` (``run`` unless told)."""

    def run(*args: str, command: str = "run", env: dict[str, str] | None = None,
            timeout: float = 300) -> RunResult:
        report_dir = tmp_path / f"report-{len(list(tmp_path.iterdir()))}"
        completed = subprocess.run(
            [sys.executable, "-m", "conformance.cli", command, "--report-dir", str(report_dir),
             *args],
            capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
            env=None if env is None else {**os.environ, **env},
        )
        return RunResult(completed.returncode, completed.stdout, completed.stderr, report_dir)

    return run
