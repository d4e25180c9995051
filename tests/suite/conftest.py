"""Helpers for end-to-end tests of the suite: run it as a user would and read its report."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]


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

    def failed_musts(self) -> list[str]:
        return list(self.report["failed_must"])


@pytest.fixture
def run_command(tmp_path: Path) -> Any:
    """Runs ``dr-conformance COMMAND ...`` in a fresh process, as a pipeline would."""

    def run(*args: str, command: str = "run", timeout: float = 300) -> RunResult:
        report_dir = tmp_path / f"report-{len(list(tmp_path.iterdir()))}"
        completed = subprocess.run(
            [sys.executable, "-m", "conformance.cli", command, "--report-dir", str(report_dir),
             *args],
            capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
        )
        return RunResult(completed.returncode, completed.stdout, completed.stderr, report_dir)

    return run
