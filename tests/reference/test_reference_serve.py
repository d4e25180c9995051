"""The ``serve`` command, run in a subprocess as a user would run it."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance.reference.faults import FAULTS

# The console script also needs commands other parts of the project provide; the serve
# command is driven through its own parser so that this test depends on this package only.
SERVE = """
import argparse, sys
from conformance.reference.server import add_serve_command
parser = argparse.ArgumentParser(prog="dr-conformance")
add_serve_command(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(["serve", *sys.argv[1:]])
sys.exit(args.handler(args))
"""
URL = re.compile(r"Serving the reference implementation at (http://127\.0\.0\.1:\d+)")


def run_serve(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SERVE, *args], capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """``serve --port 0`` in the background: the process, its base URL, its banner lines."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "--port", "0", "--session-ttl", "1800",
         "--fault", "token-type-mac"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            break
    match = URL.search("\n".join(lines))
    assert match, ("\n".join(lines), process.stderr.read() if process.stderr else "")
    try:
        yield process, match.group(1), lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_serve_runs_the_two_call_flow(
        serving: tuple[subprocess.Popen[str], str, list[str]]) -> None:
    process, base_url, lines = serving
    banner = "\n".join(lines)

    with httpx.Client(base_url=base_url, timeout=10, verify=False) as http:
        session = http.get("/store/drsite/SessionToken", params={"format": "json"})
        token = http.post("/oauth20/token", auth=("reference-client", "reference-secret"),
                          data={"grant_type": "password",
                                "dr_session_token": session.json()["session_token"]})

    assert token.status_code == 200
    assert token.json()["expires_in"] == 1800
    assert token.json()["token_type"] == "mac"
    for expected in (f"{base_url}/store/drsite/SessionToken", f"{base_url}/oauth20/token",
                     f"{base_url}/v1/shoppers/token", f"{base_url}/oauth20/access-tokens",
                     "drsite (session timeout 1800 s)", "pk-reference-public-key",
                     "reference-client secret reference-secret", "faults        token-type-mac",
                     "curl -s", "--session-ttl 1800"):
        assert expected in banner

    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 0


def test_serve_stops_on_sigterm(serving: tuple[subprocess.Popen[str], str, list[str]]) -> None:
    process, base_url, _ = serving
    process.send_signal(signal.SIGTERM)

    assert process.wait(10) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/store/drsite/SessionToken", timeout=2)


def test_the_printed_curl_flow_works(
        serving: tuple[subprocess.Popen[str], str, list[str]]) -> None:
    _, _, lines = serving
    start = lines.index("The two-call flow (session token, then exchange):")
    script = "\n".join(line.strip() for line in lines[start + 1:start + 3])
    if subprocess.run(["sh", "-c", "command -v curl"], capture_output=True).returncode:
        pytest.skip("curl is not installed")

    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=20)

    assert '"access_token":"' in result.stdout, (result.stdout, result.stderr)


def test_list_faults() -> None:
    result = run_serve("--list-faults")

    assert result.returncode == 0
    for fault in FAULTS:
        assert re.search(rf"^{re.escape(fault.name)}\s+{re.escape(fault.breaks)}\s+"
                         rf"{re.escape(fault.description)}$", result.stdout, re.MULTILINE)


def test_unknown_fault_is_one_line_and_exit_2() -> None:
    result = run_serve("--port", "0", "--fault", "no-such-fault")

    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no-such-fault" in result.stderr


def test_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_serve("--port", str(port))

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"dr-conformance serve: cannot listen on 127.0.0.1:{port}: Address already in use"]


def test_bad_config_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "reference.toml"
    config.write_text("session_ttl = 'one day'\n")

    result = run_serve("--port", "0", "--config", str(config))

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "session_ttl" in result.stderr
