"""``dr-conformance run`` end to end: the faultless reference passes, every fault is named
by the requirement it breaks, and an untestable target gets exit status 2 in one line."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conformance.catalogue import Level, load_catalogue
from conformance.reference.faults import FAULTS

CATALOGUE = load_catalogue()
SCENARIO_FAULTS = [fault for fault in FAULTS if fault.layer == "scenario"]


def test_faultless_reference_passes(run_command: Any) -> None:
    result = run_command("--no-generative")

    assert result.status == 0, result.stdout + result.stderr
    verdicts = result.verdicts()
    judged_by_scenarios = [r.id for r in CATALOGUE.requirements
                           if r.level is not Level.RECORD and r.profile != "schema"]
    assert {verdicts[i] for i in judged_by_scenarios} == {"PASSED"}
    # Without the generated tests the schema requirement is not judged, and says so.
    assert result.report["unjudged_must"] == ["SC-RESPONSE-SCHEMA"]
    assert "no MUST requirement failed; not judged: SC-RESPONSE-SCHEMA" in result.stdout
    assert (result.report_dir / "junit.xml").read_text().count("<testcase") == len(verdicts)


@pytest.mark.parametrize("fault", SCENARIO_FAULTS, ids=lambda fault: fault.name)
def test_each_fault_is_named_by_its_requirement(run_command: Any, fault: Any) -> None:
    result = run_command("--no-generative", "--reference-fault", fault.name)

    verdicts = result.verdicts()
    if CATALOGUE[fault.breaks].level is Level.MUST:
        assert result.status == 1, result.stdout + result.stderr
        assert verdicts[fault.breaks] == "FAILED"
        assert result.failed_musts() == [fault.breaks]
        assert fault.breaks in result.stdout
    else:
        assert result.status == 0, result.stdout + result.stderr
        assert verdicts[fault.breaks] == "WARNING"
        assert result.failed_musts() == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


CREDENTIALS = ("--site-id", "site1", "--client-id", "c", "--client-secret", "s")


def test_nothing_listening_is_exit_2_in_one_line(run_command: Any) -> None:
    result = run_command("--target-url", f"http://127.0.0.1:{_free_port()}", *CREDENTIALS)

    assert result.status == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("dr-conformance: target cannot be tested: cannot reach")
    assert "Traceback" not in result.stdout + result.stderr


class _Garbage(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = b"<html><body>It works!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def garbage_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_target_answering_garbage_is_exit_2(run_command: Any, garbage_server: str) -> None:
    result = run_command("--target-url", garbage_server, *CREDENTIALS)

    assert result.status == 2
    assert "not JSON, XML or JSONP of this API" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers, like a target that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_target_that_never_answers_is_exit_2(run_command: Any, silent_server: str) -> None:
    result = run_command("--target-url", silent_server, "--timeout", "0.5", *CREDENTIALS)

    assert result.status == 2
    assert "Timeout" in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_credentials_are_exit_2(run_command: Any) -> None:
    result = run_command("--target-url", "http://127.0.0.1:9")

    assert result.status == 2
    assert "--site-id" in result.stderr and "--client-secret" in result.stderr
