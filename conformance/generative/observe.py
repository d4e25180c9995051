"""Generated requests as the suite's evidence, and the tokens their answers carry.

schemathesis sends through ``requests``; the checks and reports read ``Observation`` objects.
This module turns one into the other, writes a reproducible curl for a generated request,
and registers every token a generated answer hands out in the run's redactor (so no report
shows it) and ledger (so HY-TOKENS-UNIQUE sees it).
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from typing import Any

from conformance.client import TokenLedger
from conformance.evidence import Observation, ObservedRequest, ObservedResponse, Redactor
from conformance.formats import parse_body, session_token_of, token_members


def observation_of(response: Any, label: str = "") -> Observation:
    """An Observation of a schemathesis (or requests) response and the request behind it."""
    request = response.request
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    sent = ObservedRequest(str(request.method), str(request.url),
                           tuple((str(k), str(v)) for k, v in request.headers.items()),
                           body or "")
    content: bytes = response.content
    answer = ObservedResponse(int(response.status_code), _header_pairs(response.headers),
                              content.decode("utf-8", errors="replace"))
    return Observation(sent, answer, elapsed=float(_seconds(response)), label=label)


def failed_observation(request: Any, error: BaseException, label: str = "") -> Observation:
    """An Observation of a generated request that got no answer at all."""
    sent = ObservedRequest(str(getattr(request, "method", "?")), str(getattr(request, "url", "?")))
    return Observation(sent, None, error=f"{type(error).__name__}: {error}", label=label)


def _header_pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((str(name), str(item)) for item in values)
    return tuple(pairs)


def _seconds(response: Any) -> float:
    elapsed = getattr(response, "elapsed", 0.0)
    return elapsed.total_seconds() if hasattr(elapsed, "total_seconds") else float(elapsed)


def register_tokens(observation: Observation, redactor: Redactor, ledger: TokenLedger) -> None:
    """Teach the run every token a successful answer hands out (as the flow client does)."""
    response = observation.response
    if response is None or not 200 <= response.status < 300:
        return
    data = parse_body(response)
    members = token_members(data) or {}
    found = {"session-token": session_token_of(data),
             "access-token": members.get("access_token"),
             "refresh-token": members.get("refresh_token")}
    for kind, value in found.items():
        if isinstance(value, str) and value:
            ledger.add(kind, value)
            redactor.add(value, kind)


def curl_command(case: Any, response: Any | None, redactor: Redactor) -> str:
    """A curl that sends the generated request again, secrets shown as placeholders.

    HTTP Basic credentials are written as ``-u user:password`` rather than as the encoded
    header, so the redactor can replace the client ID and secret it knows.
    """
    headers = dict(response.request.headers) if response is not None else {}
    headers.pop("Authorization", None)
    command: str = case.as_curl_command(headers=headers)
    return redactor.text(_BASIC_HEADER.sub(_as_user_option, command))


_BASIC_HEADER = re.compile(r"-H '[Aa]uthorization: [Bb]asic ([A-Za-z0-9+/=]+)'")


def _as_user_option(match: re.Match[str]) -> str:
    credentials = basic_credentials(f"Basic {match.group(1)}")
    return match.group(0) if credentials is None else f"-u {shlex.quote(credentials)}"


def basic_credentials(authorization: str | None) -> str | None:
    """``user:password`` from an HTTP Basic Authorization header; None for anything else."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
