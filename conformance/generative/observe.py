"""Generated requests as the suite's evidence.

schemathesis sends through ``requests``; the checks and reports read ``Observation`` objects.
This module turns one into the other and writes a reproducible curl for a generated request.
(Tokens in generated answers are registered by ``conformance.client.register_tokens``, the
same function the flow client uses.)
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from typing import Any

from conformance.evidence import Observation, ObservedRequest, ObservedResponse, Redactor


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
