"""Observed HTTP exchanges: what the suite sent and what the target answered.

Checks read these, never the network, so one check runs unchanged on a live answer, a
cassette replay or a schemathesis response. Evidence is redacted before it leaves the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

Headers = tuple[tuple[str, str], ...]


def _header(headers: Headers, name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


@dataclass(frozen=True)
class ObservedRequest:
    method: str
    url: str
    headers: Headers = ()
    body: str = ""

    def header(self, name: str) -> str | None:
        return _header(self.headers, name)


@dataclass(frozen=True)
class ObservedResponse:
    status: int
    headers: Headers = ()
    body: str = ""

    def header(self, name: str) -> str | None:
        return _header(self.headers, name)

    @property
    def content_type(self) -> str:
        """The media type alone, lower case, without parameters."""
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body)

    def json_or_none(self) -> Any:
        try:
            return self.json()
        except ValueError:
            return None


@dataclass(frozen=True)
class Observation:
    """One request and the answer to it (or the transport error that stood in its place)."""

    request: ObservedRequest
    response: ObservedResponse | None
    error: str | None = None
    elapsed: float = 0.0
    label: str = ""

    @property
    def status(self) -> int | None:
        return self.response.status if self.response else None

    def summary(self) -> str:
        answer = self.error if self.response is None else f"{self.response.status}"
        return f"{self.request.method} {self.request.url} -> {answer}"


class Redactor:
    """Replaces secret values (API keys, client secrets, tokens) in evidence.

    Each secret becomes a placeholder naming its kind and its order of first sight, so a
    reader can still see that the token issued in one answer is the one presented in the
    next. The suite registers every token it sees, so a redactor learns as the run goes on
    and redacts at the moment evidence leaves the run (reports, failure messages, logs).
    """

    def __init__(self, secrets: dict[str, str] | None = None) -> None:
        self._placeholders: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        for value, kind in (secrets or {}).items():
            self.add(value, kind)

    def add(self, value: str | None, kind: str) -> None:
        # Very short values would redact ordinary text; no real secret is that short.
        if not value or len(value) < 4 or value in self._placeholders:
            return
        self._counts[kind] = self._counts.get(kind, 0) + 1
        self._placeholders[value] = f"<{kind}-{self._counts[kind]}>"

    def __contains__(self, value: object) -> bool:
        return value in self._placeholders

    def text(self, text: str) -> str:
        # Longest first, so a secret that contains another is replaced whole.
        for value in sorted(self._placeholders, key=len, reverse=True):
            if value in text:
                text = text.replace(value, self._placeholders[value])
        return text

    def headers(self, headers: Headers) -> Headers:
        redacted = []
        for key, value in headers:
            if key.lower() in {"authorization", "cookie", "set-cookie", "proxy-authorization"}:
                scheme = value.split(" ", 1)[0] if " " in value else ""
                value = f"{scheme} <redacted>".strip()
            redacted.append((key, self.text(value)))
        return tuple(redacted)

    def observation(self, observation: Observation) -> Observation:
        request = observation.request
        response = observation.response
        return replace(
            observation,
            request=replace(
                request,
                url=self.text(request.url),
                headers=self.headers(request.headers),
                body=self.text(request.body),
            ),
            response=None
            if response is None
            else replace(
                response, headers=self.headers(response.headers), body=self.text(response.body)
            ),
            error=self.text(observation.error) if observation.error else None,
        )
