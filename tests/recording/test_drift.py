"""Drift between a committed recording and a fresh one, through the drift command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from recording_helpers import target_options

from conformance.cli import main
from conformance.evidence import ObservedResponse
from conformance.recording.drift import (
    DRIFT_JSON,
    DRIFT_MARKDOWN,
    Relevance,
    Ttl,
    compare_shapes,
    shape_of,
)
from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer

PROFILE = "token-information"
Serve = Callable[..., ReferenceServer]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded reference, recorded for one profile: the committed cassettes."""
    directory = tmp_path_factory.mktemp("baseline") / "reference"
    assert main(["record", "--profile", PROFILE, "--seed", "5",
                 "--cassette-dir", str(directory)]) == 0
    return directory


def drift(baseline: Path, report_dir: Path, *options: str) -> tuple[int, dict[str, Any]]:
    status = main(["drift", "--cassette-dir", str(baseline), "--report-dir", str(report_dir),
                   *options])
    report = json.loads((report_dir / DRIFT_JSON).read_text(encoding="utf-8"))
    assert (report_dir / DRIFT_MARKDOWN).exists()
    return status, report


def relevant(report: dict[str, Any]) -> list[dict[str, str]]:
    return [d for d in report["differences"] if d["relevance"] == "contract-relevant"]


def test_an_unchanged_target_has_no_drift(baseline: Path, tmp_path: Path) -> None:
    status, report = drift(baseline, tmp_path)
    assert status == 0
    assert report["compared"] >= 15
    assert report["differences"] == []


def test_a_changed_session_timeout_is_drift(baseline: Path, tmp_path: Path) -> None:
    status, report = drift(baseline, tmp_path, "--session-ttl", "3600")
    assert status == 1
    bands = {(d["subject"], d["before"], d["after"]) for d in relevant(report)}
    assert ("TTL band of expires_in", "at the site session timeout",
            "below the site session timeout") in bands
    assert ("TTL band of expiresIn", "at the site session timeout",
            "below the site session timeout") in bands
    assert "TTL band of expires_in" in (tmp_path / DRIFT_MARKDOWN).read_text()


def _expires_in_as_text(path: str, body: bytes) -> bytes:
    if path != "/oauth20/access-tokens" or not body.startswith(b"{"):
        return body
    data = json.loads(body)
    if "expiresIn" in data:
        data["expiresIn"] = str(data["expiresIn"])
    return json.dumps(data).encode()


def test_a_changed_member_type_is_drift(baseline: Path, tmp_path: Path, serve: Serve) -> None:
    server = serve(body=_expires_in_as_text)
    status, report = drift(baseline, tmp_path, *target_options(server))
    assert status == 1
    changes = {(d["subject"], d["before"], d["after"]) for d in relevant(report)}
    assert ("type of expiresIn", "integer", "string") in changes
    assert {d["subject"] for d in relevant(report)} == {"type of expiresIn"}


def test_a_dropped_header_is_drift(baseline: Path, tmp_path: Path, serve: Serve) -> None:
    server = serve(drop_headers=("pragma",))
    status, report = drift(baseline, tmp_path, *target_options(server))
    assert status == 1
    assert {(d["subject"], d["after"]) for d in relevant(report)} == {("header pragma",
                                                                       "dropped")}


def test_an_unreachable_target_exits_2_in_one_line(
        baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = ReferenceServer(ReferenceConfig()).start()
    options = target_options(server)
    server.stop()
    assert main(["drift", "--cassette-dir", str(baseline), "--report-dir", str(tmp_path),
                 *options]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "cannot reach" in err and "Traceback" not in err
    assert not (tmp_path / DRIFT_JSON).exists()


def test_drift_without_cassettes_exits_2(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "--cassette-dir", str(tmp_path / "none"),
                 "--report-dir", str(tmp_path)]) == 2
    assert "provenance.json" in capsys.readouterr().err


# --- classification, on single answers ------------------------------------------------------


def _answer(status: int, body: dict[str, Any], **headers: str) -> ObservedResponse:
    pairs = (("content-type", "application/json"), ("cache-control", "no-store"),
             *headers.items())
    return ObservedResponse(status, tuple(pairs), json.dumps(body))


def _differences(before: ObservedResponse, after: ObservedResponse,
                 ) -> dict[str, Relevance]:
    ttl = Ttl(86400)
    return {d.subject: d.relevance
            for d in compare_shapes("here", shape_of(before, ttl), shape_of(after, ttl))}


TOKEN = {"access_token": "ab12" * 40, "token_type": "bearer", "expires_in": 86400}


def test_additions_are_benign() -> None:
    found = _differences(_answer(200, TOKEN),
                         _answer(200, {**TOKEN, "scope": "shopper"}, x_extra="1"))
    assert found == {"member scope": Relevance.BENIGN, "header x_extra": Relevance.BENIGN}


def test_losses_and_changes_of_meaning_are_contract_relevant() -> None:
    dropped = {k: v for k, v in TOKEN.items() if k != "token_type"}
    assert _differences(_answer(200, TOKEN), _answer(200, dropped)) == \
        {"member token_type": Relevance.CONTRACT}
    assert _differences(_answer(200, TOKEN), _answer(500, TOKEN))["status class"] is \
        Relevance.CONTRACT
    assert _differences(_answer(400, {"error": "invalid_request"}),
                        _answer(401, {"error": "invalid_request"})) == \
        {"status": Relevance.BENIGN}
    assert _differences(_answer(200, TOKEN), _answer(200, {**TOKEN, "token_type": "mac"})) \
        == {"value of token_type": Relevance.CONTRACT}
    assert _differences(_answer(200, TOKEN), _answer(200, {**TOKEN, "token_type": "Bearer"})) \
        == {}


def test_the_drift_report_summarises_repeated_changes(baseline: Path, tmp_path: Path) -> None:
    drift(baseline, tmp_path, "--session-ttl", "3600")
    report = json.loads((tmp_path / DRIFT_JSON).read_text(encoding="utf-8"))
    summary = {(c["subject"], c["relevance"]): c["count"] for c in report["summary"]}
    assert summary[("TTL band of expires_in", "contract-relevant")] >= 2
    assert sum(summary.values()) == len(report["differences"])
