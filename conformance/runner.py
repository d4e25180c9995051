"""The ``run`` and ``certify`` commands: the suite through pytest, then the verdict.

``run`` judges the target, prints the requirement table and writes report.json and JUnit
XML. ``certify`` judges every profile with the generated tests on and adds the
certification package. Both exit 0 (every MUST passed), 1 (a MUST failed) or 2 (the target
could not be tested), and say why in one line when it is 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.client import FlowClient
from conformance.preflight import TargetUnusable, preflight
from conformance.target import (
    TargetError,
    add_target_arguments,
    resolve_settings,
    target_from_settings,
    wants_embedded,
)

SUITE_DIR = Path(__file__).resolve().parent / "suite"
DEFAULT_REPORT_DIR = "reports"


def _add_common(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    generative = parser.add_mutually_exclusive_group()
    generative.add_argument("--generative", dest="generative", action="store_true",
                            default=None, help="run the generated tests [DR_GENERATIVE=1]")
    generative.add_argument("--no-generative", dest="generative", action="store_false",
                            help="skip the generated tests [DR_GENERATIVE=0]")
    parser.add_argument("--seed", type=int, default=None, help="seed to replay a run [DR_SEED]")
    parser.add_argument("--reference-fault", dest="faults", action="append", default=[],
                        metavar="FAULT", help="start the embedded reference with this fault")
    parser.add_argument("--request-budget", type=int, default=None, metavar="N",
                        help="requests the generated tests may send [DR_REQUEST_BUDGET]")
    parser.add_argument("--max-examples", type=int, default=None, metavar="N",
                        help="generated examples per test [DR_MAX_EXAMPLES]")
    parser.add_argument("-n", "--workers", default=None,
                        help="spread the suite over N processes (pytest-xdist; 'auto')")
    parser.add_argument("--pytest-arg", dest="pytest_args", action="append", default=[],
                        metavar="ARG", help="pass an argument through to pytest")


def add_run_command(commands: Any) -> None:
    parser = commands.add_parser("run", help="judge the target requirement by requirement")
    _add_common(parser)
    parser.add_argument("--profile", dest="profiles", action="append", default=[],
                        help="judge only this profile (repeatable)")
    parser.set_defaults(handler=run_main, certify=False)


def add_certify_command(commands: Any) -> None:
    parser = commands.add_parser(
        "certify", help="judge every profile and write the certification package")
    _add_common(parser)
    parser.set_defaults(handler=certify_main, certify=True, profiles=[])


def run_main(args: argparse.Namespace) -> int:
    return _judge(args)


def certify_main(args: argparse.Namespace) -> int:
    if args.generative is None:
        args.generative = True
    return _judge(args)


def _judge(args: argparse.Namespace) -> int:
    _configure_logging()
    try:
        settings = resolve_settings(vars(args))
        if not wants_embedded(settings):
            _preflight(settings)
    except (TargetError, TargetUnusable) as exc:
        return _unusable(str(exc))

    report_dir = Path(settings.get("report_dir") or DEFAULT_REPORT_DIR)
    report_path = report_dir / "report.json"
    with contextlib.suppress(FileNotFoundError):
        report_path.unlink()

    status = pytest.main(_pytest_args(args, report_dir))
    return _verdict(status, report_path, certify=args.certify)


def _configure_logging() -> None:
    """INFO from this package for the CI log; HTTP libraries stay quiet, because their
    request lines carry tokens in query strings that must not reach a log."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("dr-conformance: %(message)s"))
    package_log = logging.getLogger("conformance")
    package_log.setLevel(logging.INFO)
    if not package_log.handlers:
        package_log.addHandler(handler)
    for noisy in ("httpx", "httpcore", "urllib3", "uvicorn", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _preflight(settings: dict[str, Any]) -> None:
    target = target_from_settings(settings)
    with FlowClient(target) as client:
        try:
            preflight(client)
        except TargetUnusable as exc:
            raise TargetUnusable(client.redactor.text(str(exc))) from None


def _pytest_args(args: argparse.Namespace, report_dir: Path) -> list[str]:
    pytest_args = [str(SUITE_DIR), "-c", str(SUITE_DIR / "pytest.ini"), "--rootdir",
                   str(SUITE_DIR), "-p", "no:cacheprovider", "-q", "--no-header",
                   "--report-dir", str(report_dir)]
    for flag, value in (("--target-url", args.target_url), ("--store-url", args.store_url),
                        ("--api-url", args.api_url), ("--site-id", args.site_id),
                        ("--api-key", args.api_key), ("--client-id", args.client_id),
                        ("--client-secret", args.client_secret),
                        ("--session-ttl", args.session_ttl),
                        ("--session-ttl-tolerance", args.session_ttl_tolerance),
                        ("--timeout", args.timeout),
                        ("--seed", args.seed), ("--request-budget", args.request_budget),
                        ("--max-examples", args.max_examples)):
        if value is not None:
            pytest_args += [flag, str(value)]
    if args.generative is not None:
        pytest_args.append("--generative" if args.generative else "--no-generative")
    for profile in args.profiles:
        pytest_args += ["--profile", profile]
    for fault in args.faults:
        pytest_args += ["--reference-fault", fault]
    if args.workers:
        pytest_args += ["-n", str(args.workers)]
    return pytest_args + list(args.pytest_args)


def _verdict(status: int | pytest.ExitCode, report_path: Path, *, certify: bool) -> int:
    if not report_path.exists():
        return _unusable(f"the suite did not finish (pytest exit status {int(status)})")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    if report.get("unusable"):
        return _unusable(report["unusable"])
    if certify:
        from conformance.reporting.certification import write_certification

        write_certification(report_path.parent, report)

    failed = report["failed_must"]
    if not failed and int(status) not in (0, 1):
        return _unusable(f"the suite stopped early (pytest exit status {int(status)})")
    if not failed and int(status) == 1:
        return _unusable("some tests errored without a verdict; see the pytest output above")

    summary = report["summary"]
    counts = ", ".join(f"{summary[key]} {key.lower()}" for key in
                       ("PASSED", "FAILED", "WARNING", "SKIPPED", "RECORDED"))
    unjudged = report["unjudged_must"]
    if failed:
        verdict = f"FAILED: {', '.join(failed)}"
    elif unjudged:
        verdict = f"no MUST requirement failed; not judged: {', '.join(unjudged)}"
    else:
        verdict = "every MUST requirement passed"
    print(f"dr-conformance: {verdict} ({counts}); report {report_path}")
    return 1 if failed else 0


def _unusable(reason: str) -> int:
    print(f"dr-conformance: target cannot be tested: {reason}", file=sys.stderr)
    return 2
