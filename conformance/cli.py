"""The ``dr-conformance`` console script: run, certify, serve, record, drift.

Each command lives with the part of the package it drives; this module only parses the
command line and hands over. Exit status: 0 every MUST requirement passed, 1 a MUST
requirement failed (for drift: contract-relevant drift), 2 the target could not be tested.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from conformance import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dr-conformance",
        description="Conformance suite for Digital River session-aware access tokens.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from conformance.runner import add_certify_command, add_run_command

    add_run_command(commands)
    add_certify_command(commands)

    from conformance.reference.server import add_serve_command

    add_serve_command(commands)

    from conformance.recording.commands import add_drift_command, add_record_command

    add_record_command(commands)
    add_drift_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except BrokenPipeError:
        # The reader went away (``dr-conformance serve --list-faults | head``); not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("dr-conformance: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
