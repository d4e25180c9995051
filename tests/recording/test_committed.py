"""The committed cassettes: the reference's recording and the vendor's samples, replayed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from recording_helpers import replay_suite, verdicts

from conformance.findings import Outcome
from conformance.paths import PROJECT_DIR
from conformance.recording import samples
from conformance.recording.cassettes import (
    PROVENANCE_NAME,
    cassette_files,
    read_cassette,
    read_provenance,
)
from conformance.recording.replay import GUARD, judge_samples
from conformance.recording.scrub import same_shape
from conformance.reference.config import (
    DEFAULT_API_KEY,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
)

REFERENCE = PROJECT_DIR / "cassettes" / "reference"
VENDOR_SAMPLES = PROJECT_DIR / "cassettes" / "vendor-samples"
RERECORD = "re-record with: dr-conformance record --seed 20261203"


def test_the_reference_recording_replays_offline_and_passes(tmp_path: Path) -> None:
    refused = len(GUARD.refused)
    assert replay_suite(REFERENCE, tmp_path) == 0, RERECORD
    judged = verdicts(tmp_path)
    assert "FAILED" not in judged.values()
    assert Counter(judged.values())["PASSED"] >= 30
    unanswered = sum(len(read_cassette(p).metadata.get("unanswered", []))
                     for p in cassette_files(REFERENCE))
    assert len(GUARD.refused) - refused == unanswered


def test_the_reference_recording_holds_pseudonyms_only() -> None:
    provenance = read_provenance(REFERENCE)
    assert provenance.embedded and provenance.target_name == "reference"
    for real, pseudonym in ((DEFAULT_API_KEY, provenance.api_key),
                            (DEFAULT_CLIENT_ID, provenance.client_id),
                            (DEFAULT_CLIENT_SECRET, provenance.client_secret)):
        assert pseudonym is not None and pseudonym != real and same_shape(real, pseudonym)
    for path in [REFERENCE / PROVENANCE_NAME, *cassette_files(REFERENCE)]:
        text = path.read_text(encoding="utf-8")
        for real in (DEFAULT_API_KEY, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET):
            assert real not in text, f"{path} holds {real!r}"


def test_every_vendor_sample_passes_with_warnings_only() -> None:
    refused = len(GUARD.refused)
    judged = judge_samples(VENDOR_SAMPLES)
    assert len(GUARD.refused) == refused, "every sample was played from its cassette"

    outcomes = {(v.sample, v.finding.requirement): v.finding.outcome for v in judged}
    assert Outcome.FAILED not in outcomes.values(), [v.finding.describe() for v in judged
                                                     if v.finding.is_failure]
    every_sample = {s.name for group in samples.CASSETTES.values() for s in group}
    assert {v.sample for v in judged} == every_sample
    assert all(v.source for v in judged)

    wrapped = "one-call token with a public API key"
    assert outcomes[(wrapped, "ST-ONE-CALL-TOKEN")] is Outcome.PASSED
    assert outcomes[(wrapped, "EX-TTL-MATCHES-SITE")] is Outcome.PASSED
    assert outcomes[(wrapped, "EX-EXPIRES-IN-INTEGER")] is Outcome.WARNING
    information = "token information (plugin fixture)"
    assert outcomes[(information, "TI-FIELDS")] is Outcome.PASSED
    assert outcomes[(information, "TI-ANONYMOUS")] is Outcome.PASSED
    body = json.loads(read_cassette(VENDOR_SAMPLES / "wordpress-plugin.yaml")
                      .interactions[1].response.body)
    assert isinstance(body["sessionId"], int) and body["authenticated"] == "false"
    assert outcomes[("session token (best practices)", "ST-SESSION-TOKEN")] is Outcome.PASSED


def test_the_vendor_samples_are_what_the_builder_makes(tmp_path: Path) -> None:
    samples.build(tmp_path)
    for path in cassette_files(tmp_path):
        committed = VENDOR_SAMPLES / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), \
            "rebuild with: python -m conformance.recording.samples"
    built = json.loads((tmp_path / PROVENANCE_NAME).read_text(encoding="utf-8"))
    committed = json.loads((VENDOR_SAMPLES / PROVENANCE_NAME).read_text(encoding="utf-8"))
    for volatile in ("catalogue_digest", "vcrpy_version"):
        built.pop(volatile)
        committed.pop(volatile)
    assert built == committed
