"""The reference implementation served over real sockets, and the ``serve`` command.

:class:`ReferenceServer` runs the ASGI app under uvicorn in a background thread, on a free
loopback port by default, so that the suite and the project's tests talk to it over HTTP
exactly as they would to the vendor. Its clock is a :class:`MovableClock`: a test moves it
forward past a site session timeout instead of waiting for it.

``dr-conformance serve`` runs the same server in the foreground for people and pipelines:
it prints where it listens, what it accepts and a ready-to-paste curl of the two-call flow,
and serves until interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import uvicorn

from conformance.reference.app import ReferenceApp
from conformance.reference.clock import AdjustableClock, MovableClock
from conformance.reference.config import ConfigError, ReferenceConfig
from conformance.reference.faults import FAULTS, UnknownFaultError, parse_faults
from conformance.reference.state import ReferenceState

STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
DEFAULT_SERVE_PORT = 8080


class ServerStartError(RuntimeError):
    """The server could not start; the message is one line for the user."""


class ReferenceServer:
    """The reference on ``http://host:port`` in a background thread.

    ``port=0`` picks a free port; ``base_url`` tells which once started. Use it as a
    context manager, or call ``start()`` and ``stop()``.
    """

    def __init__(self, config: ReferenceConfig | None = None, host: str = "127.0.0.1",
                 port: int = 0, *, clock: AdjustableClock | None = None,
                 quiet: bool = True) -> None:
        self.config = config or ReferenceConfig()
        self.host = host
        self.clock: AdjustableClock = clock or MovableClock()
        self.app = ReferenceApp(self.config, self.clock)
        self._requested_port = port
        self._quiet = quiet
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> ReferenceState:
        return self.app.state

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the reference server is not started")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> ReferenceServer:
        """Listen and serve; returns once connections are accepted."""
        if self._thread is not None:
            raise RuntimeError("the reference server is already started")
        self._socket = _listen(self.host, self._requested_port)
        self._server = uvicorn.Server(self._uvicorn_config())
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]},
            name=f"reference-server-{self.port}", daemon=True)
        self._thread.start()
        self._wait_until_started()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        self._server = None
        self._thread = None

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def _uvicorn_config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app, http="h11", ws="none", lifespan="off", loop="asyncio",
            # log_config=None leaves the process's logging alone; only levels are set.
            log_config=None, log_level="error" if self._quiet else "info",
            access_log=not self._quiet, server_header=False, timeout_graceful_shutdown=2)

    def _wait_until_started(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        assert self._server is not None and self._thread is not None
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(f"the reference server on {self.host} did not start")
            time.sleep(0.005)


def _listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[0]
        # The protocol must be named: asyncio turns Nagle's algorithm off only on sockets
        # whose proto is IPPROTO_TCP, and with it on every answer's body waits for the
        # client's delayed ACK (about 40 ms on loopback).
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ServerStartError(f"cannot listen on {host}:{port}: {_reason(exc)}") from exc
    try:
        # Lets a restarted server reuse a port whose old connections linger in TIME_WAIT;
        # a port another process listens on is still refused.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(socket.SOMAXCONN)
    except OSError as exc:
        sock.close()
        raise ServerStartError(f"cannot listen on {host}:{port}: {_reason(exc)}") from exc
    return sock


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# --- the serve command ------------------------------------------------------------------


def add_serve_command(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                      ) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "serve", help="run the reference implementation",
        description="Serve the embedded reference implementation until interrupted.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_SERVE_PORT,
                        help=f"port to listen on, 0 for a free one (default {DEFAULT_SERVE_PORT})")
    parser.add_argument("--site-id", help="the site ID served")
    parser.add_argument("--api-key", help="the site's public API key")
    parser.add_argument("--client-id", help="the confidential client ID")
    parser.add_argument("--client-secret", help="the confidential client's secret")
    parser.add_argument("--session-ttl", type=int,
                        help="the site's shopper-session timeout in seconds")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME",
                        help="break one requirement on purpose (repeatable; see --list-faults)")
    parser.add_argument("--list-faults", action="store_true",
                        help="list the faults and the requirement each breaks, then exit")
    parser.add_argument("--config", type=Path, metavar="FILE.toml",
                        help="settings file; the options above override it")
    parser.set_defaults(handler=serve_main)
    return parser


def serve_main(args: argparse.Namespace) -> int:
    if args.list_faults:
        print(list_faults_text())
        return 0
    try:
        config = config_from_args(args)
    except (ConfigError, UnknownFaultError) as exc:
        return _fail(str(exc))
    # Handlers first: a stop request that arrives while the banner prints must still end
    # the server cleanly.
    with _stopped_by_sigterm():
        try:
            return _serve(config, args.host, args.port)
        except KeyboardInterrupt:
            return 0


def _serve(config: ReferenceConfig, host: str, port: int) -> int:
    try:
        server = ReferenceServer(config, host, port, quiet=True).start()
    except ServerStartError as exc:
        return _fail(str(exc))
    try:
        print(banner(server), flush=True)
        while server.running:
            time.sleep(0.2)
        return _fail("the server stopped unexpectedly", status=1)
    finally:
        server.stop()


def _fail(message: str, status: int = 2) -> int:
    print(f"dr-conformance serve: {message}", file=sys.stderr)
    return status


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (a pipeline stopping the job) ends the server as cleanly as Ctrl-C does."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def config_from_args(args: argparse.Namespace) -> ReferenceConfig:
    config = ReferenceConfig.from_toml(args.config) if args.config else ReferenceConfig()
    overrides: dict[str, Any] = {
        name: getattr(args, name)
        for name in ("site_id", "api_key", "client_id", "client_secret", "session_ttl")
        if getattr(args, name) is not None
    }
    faults = config.faults | parse_faults(tuple(args.fault))
    return replace(config, faults=faults, **overrides)


def list_faults_text() -> str:
    width = max(len(fault.name) for fault in FAULTS)
    breaks_width = max(len(fault.breaks) for fault in FAULTS)
    lines = [f"{'fault':<{width}}  {'breaks':<{breaks_width}}  description"]
    lines += [f"{f.name:<{width}}  {f.breaks:<{breaks_width}}  {f.description}" for f in FAULTS]
    return "\n".join(lines)


def banner(server: ReferenceServer) -> str:
    """What ``serve`` prints: where it listens, what it accepts, how to try it."""
    config, base = server.config, server.base_url
    site = config.default_site
    lines = [
        f"Serving the reference implementation at {base}",
        f"  store URL     {base}/store/{site.site_id}/SessionToken",
        f"  API URLs      {base}/oauth20/token",
        f"                {base}/v1/shoppers/token",
        f"                {base}/oauth20/access-tokens",
    ]
    lines += [f"  site          {s.site_id} (session timeout {s.session_ttl} s)"
              for s in config.sites]
    lines += [f"  public key    {k.key} (site {k.site_id})" for k in config.api_keys]
    lines += [f"  client        {c.client_id} secret {c.secret} (site {c.site_id})"
              for c in config.clients]
    lines.append(f"  faults        {', '.join(sorted(config.faults)) or 'none'}")
    lines += ["", "The two-call flow (session token, then exchange):", *two_call_flow(server)]
    lines += ["", "Run the suite against it with: " + " ".join(suite_options(server)),
              "Press Ctrl-C to stop."]
    return "\n".join(lines)


def two_call_flow(server: ReferenceServer) -> list[str]:
    config, base = server.config, server.base_url
    session_url = shlex.quote(f"{base}/store/{config.site_id}/SessionToken?format=json")
    extract = shlex.quote(r's/.*"session_token":"([0-9A-Fa-f]+)".*/\1/')
    credentials = shlex.quote(f"{config.client_id}:{config.client_secret}")
    return [
        f"  ST=$(curl -s {session_url} | sed -E {extract})",
        f"  curl -s -u {credentials} -d grant_type=password -d \"dr_session_token=$ST\" "
        f"{shlex.quote(base + '/oauth20/token')}",
    ]


def suite_options(server: ReferenceServer) -> list[str]:
    config = server.config
    return [
        "--target-url", server.base_url, "--site-id", shlex.quote(config.site_id),
        "--api-key", shlex.quote(config.api_key), "--client-id", shlex.quote(config.client_id),
        "--client-secret", shlex.quote(config.client_secret),
        "--session-ttl", str(config.session_ttl),
    ]
