"""The ``record`` and ``drift`` commands.

``record`` runs the scenario suite against the target with cassettes recording, into a
fresh folder that replaces ``--cassette-dir`` only once the recording is complete, so a
failed recording never leaves half a folder behind. ``drift`` records the target again
into a temporary folder and compares the two recordings' shapes (see ``drift``).

Both exit 2 with one line when the target cannot be tested; ``record`` exits 0 once the
cassettes are written (whatever the target's verdicts), ``drift`` exits 1 when it finds
contract-relevant drift and 0 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.client import FlowClient
from conformance.preflight import TargetUnusable, preflight
from conformance.recording.cassettes import (
    PROVENANCE_NAME,
    ProvenanceError,
    cassette_files,
    default_cassette_dir,
    quiet_http_logs,
    read_cassette,
    read_provenance,
)
from conformance.target import (
    TargetError,
    add_target_arguments,
    resolve_settings,
    target_from_settings,
    wants_embedded,
)

log = logging.getLogger("conformance")

SUITE_DIR = Path(__file__).resolve().parent.parent / "suite"
DEFAULT_REPORT_DIR = "reports"


class CannotRecord(RuntimeError):
    """The target could not be recorded; the message is one line for the user."""


# --- the command line ------------------------------------------------------------------------


def _add_common(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("--cassette-dir", type=Path, default=None, metavar="DIR",
                        help="the cassette folder (default cassettes/<target name>/)")
    parser.add_argument("--reference-fault", dest="faults", action="append", default=[],
                        metavar="FAULT", help="start the embedded reference with this fault")
    parser.add_argument("--profile", dest="profiles", action="append", default=[],
                        help="record only this profile's tests (repeatable; default: all)")


def add_record_command(commands: Any) -> None:
    parser = commands.add_parser(
        "record", help="record the scenario flows against the target as cassettes",
        description="Run the scenario suite against the target and record every exchange "
                    "as vcrpy cassettes, secrets replaced by pseudonyms, with provenance.")
    _add_common(parser)
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for the values the suite makes up (default: random)")
    parser.set_defaults(handler=record_main)


def add_drift_command(commands: Any) -> None:
    parser = commands.add_parser(
        "drift", help="record the target afresh and compare it with the committed cassettes",
        description="Record the target into a temporary folder and compare its answers' "
                    "shapes with the cassettes in --cassette-dir; write drift.md and "
                    "drift.json into --report-dir.")
    _add_common(parser)
    parser.set_defaults(handler=drift_main)


# --- record ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    directory: Path
    cassettes: int
    interactions: int
    pytest_status: int


def record_main(args: argparse.Namespace) -> int:
    _setup_logging()
    try:
        settings = resolve_settings(vars(args))
        name = target_name(settings)
        directory = args.cassette_dir or default_cassette_dir(name)
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
        recording = record(settings, directory, seed=seed, faults=args.faults,
                           profiles=args.profiles)
    except (TargetError, TargetUnusable, CannotRecord) as exc:
        return _unusable(str(exc))
    print(f"dr-conformance: recorded {recording.interactions} interactions in "
          f"{recording.cassettes} cassettes into {recording.directory} (seed {seed})")
    return 0


def target_name(settings: dict[str, Any]) -> str:
    return "reference" if wants_embedded(settings) else target_from_settings(settings).name


def record(settings: dict[str, Any], directory: Path, *, seed: int,
           faults: list[str] | None = None, profiles: list[str] | None = None) -> Recording:
    """Record the scenario suite into ``directory``, replacing what was there on success."""
    if not wants_embedded(settings):
        check_reachable(settings)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        status = _run_suite(settings, staging, seed=seed, faults=faults or [],
                            profiles=profiles or [])
        if not (staging / PROVENANCE_NAME).exists():
            raise CannotRecord(_why_not_recorded(status))
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    files = cassette_files(directory)
    interactions = sum(len(read_cassette(path).interactions) for path in files)
    return Recording(directory, len(files), interactions, status)


def check_reachable(settings: dict[str, Any]) -> None:
    """The preflight, before anything is recorded; TargetUnusable when it fails."""
    target = target_from_settings(settings)
    with quiet_http_logs(), FlowClient(target) as client:
        try:
            preflight(client)
        except TargetUnusable as exc:
            raise TargetUnusable(client.redactor.text(str(exc))) from None


def _run_suite(settings: dict[str, Any], directory: Path, *, seed: int,
               faults: list[str], profiles: list[str]) -> int:
    arguments = [str(SUITE_DIR), "-c", str(SUITE_DIR / "pytest.ini"), "--rootdir",
                 str(SUITE_DIR), "-p", "no:cacheprovider", "-q", "--no-header",
                 "--no-generative", "--cassette-dir", str(directory),
                 "--record-mode", "rewrite", "--seed", str(seed),
                 # This process imported the package before pytest could rewrite it.
                 "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for spec_dest, value in settings.items():
        if value is not None and spec_dest != "report_dir":
            arguments += ["--" + spec_dest.replace("_", "-"), str(value)]
    if settings.get("report_dir"):
        arguments += ["--report-dir", str(settings["report_dir"])]
    for fault in faults:
        arguments += ["--reference-fault", fault]
    for profile in profiles:
        arguments += ["--profile", profile]
    with quiet_http_logs():
        return int(pytest.main(arguments))


def _why_not_recorded(status: int) -> str:
    if status == 2:
        return "the suite stopped before the recording was complete (see above)"
    return f"the suite did not finish (pytest exit status {status})"


# --- drift -----------------------------------------------------------------------------------


def drift_main(args: argparse.Namespace) -> int:
    _setup_logging()
    from conformance.recording.drift import compare_folders, write_drift_reports

    try:
        settings = resolve_settings(vars(args))
        name = target_name(settings)
        baseline_dir = args.cassette_dir or default_cassette_dir(name)
        baseline = read_provenance(baseline_dir)
        with tempfile.TemporaryDirectory(prefix="dr-drift-") as scratch:
            fresh_dir = Path(scratch) / name
            if args.profiles and sorted(args.profiles) != sorted(baseline.profiles):
                raise CannotRecord("drift compares the profiles the cassettes were recorded "
                                   f"with ({', '.join(baseline.profiles) or 'all'}); "
                                   "drop --profile")
            record(settings, fresh_dir, seed=baseline.seed, faults=args.faults,
                   profiles=list(baseline.profiles))
            report = compare_folders(baseline_dir, fresh_dir)
    except (TargetError, TargetUnusable, CannotRecord, ProvenanceError) as exc:
        return _unusable(str(exc))

    report_dir = Path(settings.get("report_dir") or DEFAULT_REPORT_DIR)
    written = write_drift_reports(report, report_dir)
    relevant = report.contract_relevant()
    verdict = (f"{len(relevant)} contract-relevant difference(s)" if relevant
               else "no contract-relevant drift")
    print(f"dr-conformance drift: {verdict}, {len(report.benign())} benign; "
          f"report {written[0]}")
    return 1 if relevant else 0


# --- plumbing --------------------------------------------------------------------------------


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")


def _unusable(reason: str) -> int:
    print(f"dr-conformance: target cannot be tested: {reason}", file=sys.stderr)
    return 2
