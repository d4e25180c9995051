"""Helpers for the cassette tests: running the suite in process, mutating the reference."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.recording.commands import SUITE_DIR
from conformance.reference.server import ReferenceServer

Message = dict[str, Any]
ASGIApp = Callable[..., Any]

TOKEN_IN_JSON = re.compile(r'"(?:session_token|access_token|refresh_token)"\s*:\s*"([^"]+)"')
TOKEN_IN_XML = re.compile(r"<(?:session_token|access_token|refresh_token)>([^<]+)<")


def replay_suite(cassette_dir: Path, report_dir: Path, *extra: str) -> int:
    """The scenario suite replayed from a cassette folder, in this process."""
    arguments = [str(SUITE_DIR), "-c", str(SUITE_DIR / "pytest.ini"), "--rootdir",
                 str(SUITE_DIR), "-p", "no:cacheprovider", "-q", "--no-header",
                 "--cassette-dir", str(cassette_dir), "--report-dir", str(report_dir), *extra]
    return int(pytest.main(arguments))


def verdicts(report_dir: Path) -> dict[str, str]:
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry["verdict"] for entry in report["requirements"]}


class Mutating:
    """An ASGI wrapper that lets a test change the reference's answers on their way out."""

    def __init__(self, app: ASGIApp, *, drop_headers: tuple[str, ...] = (),
                 body: Callable[[str, bytes], bytes] | None = None,
                 spy: list[bytes] | None = None) -> None:
        self.app = app
        self.drop = {name.lower().encode() for name in drop_headers}
        self.body = body
        self.spy = spy

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                held.append(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await self._send(scope["path"], held[0], b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def _send(self, path: str, start: Message, body: bytes, send: Any) -> None:
        if self.spy is not None:
            self.spy.append(body)
        if self.body is not None:
            body = self.body(path, body)
        headers = [(name, value) for name, value in start["headers"]
                   if name.lower() not in self.drop and name.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def issued_tokens(bodies: list[bytes]) -> set[str]:
    """Every token value the reference handed out in these answer bodies."""
    found: set[str] = set()
    for body in bodies:
        text = body.decode("utf-8", "replace")
        found.update(TOKEN_IN_JSON.findall(text))
        found.update(TOKEN_IN_XML.findall(text))
    return found


def target_options(server: ReferenceServer) -> list[str]:
    config = server.config
    return ["--target-url", server.base_url, "--site-id", config.site_id,
            "--api-key", config.api_key, "--client-id", config.client_id,
            "--client-secret", config.client_secret,
            "--session-ttl", str(config.session_ttl)]
