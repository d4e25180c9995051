"""What is being judged: the target's URLs, credentials and site session timeout.

The options and their environment variables are an interface that users' pipelines depend
on; pytest (``plugin.py``) and the console script (``cli.py``) both read them from
``TARGET_OPTIONS`` so the two never drift apart.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class OptionSpec:
    flag: str
    env: str
    help: str
    kind: Callable[[str], Any] = str

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


TARGET_OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("--target-url", "DR_TARGET_URL", "one base URL serving both hosts' paths"),
    OptionSpec("--store-url", "DR_STORE_URL", "base URL of the store host"),
    OptionSpec("--api-url", "DR_API_URL", "base URL of the API host"),
    OptionSpec("--site-id", "DR_SITE_ID", "site ID"),
    OptionSpec("--api-key", "DR_API_KEY", "public API key"),
    OptionSpec("--client-id", "DR_CLIENT_ID", "confidential client ID (an API key)"),
    OptionSpec("--client-secret", "DR_CLIENT_SECRET", "the confidential client's secret"),
    OptionSpec("--session-ttl", "DR_SESSION_TTL",
               "the site's shopper-session timeout in seconds", int),
    OptionSpec("--session-ttl-tolerance", "DR_SESSION_TTL_TOLERANCE",
               "seconds of slack below the session timeout (default 60)", int),
    OptionSpec("--report-dir", "DR_REPORT_DIR", "where reports are written"),
    OptionSpec("--timeout", "DR_TIMEOUT",
               "seconds to wait for each answer before the target counts as down (default 10)",
               float),
)

DEFAULT_TIMEOUT = 10.0


class TargetError(ValueError):
    """The target cannot be tested as configured; the message is one line for the user."""


@dataclass(frozen=True)
class Target:
    store_url: str
    api_url: str
    site_id: str
    api_key: str | None
    client_id: str | None
    client_secret: str | None
    session_ttl: int | None
    session_ttl_tolerance: int = 60
    embedded: bool = False
    timeout: float = DEFAULT_TIMEOUT

    @property
    def is_loopback(self) -> bool:
        return all(_is_loopback_url(url) for url in (self.store_url, self.api_url))

    @property
    def name(self) -> str:
        """A short name for reports and cassette folders."""
        if self.embedded:
            return "reference"
        parts = urlsplit(self.api_url)
        return (parts.hostname or "target") + (f"-{parts.port}" if parts.port else "")

    def secrets(self) -> dict[str, str]:
        """Secret values this target was given, by kind, for redaction."""
        found = {"api-key": self.api_key, "client-id": self.client_id,
                 "client-secret": self.client_secret}
        return {value: kind for kind, value in found.items() if value}

    def describe(self) -> str:
        if self.store_url == self.api_url:
            return f"{self.api_url} (site {self.site_id})"
        return f"store {self.store_url}, API {self.api_url} (site {self.site_id})"


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_settings(given: Mapping[str, Any], environ: Mapping[str, str] | None = None,
                     ) -> dict[str, Any]:
    """Option values from the command line, falling back to their environment variables."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for spec in TARGET_OPTIONS:
        value = given.get(spec.dest)
        if value in (None, "") and environ.get(spec.env, "") != "":
            raw = environ[spec.env]
            try:
                value = spec.kind(raw)
            except ValueError as exc:
                raise TargetError(f"{spec.env}={raw!r} is not a valid {spec.flag}") from exc
        settings[spec.dest] = value
    return settings


def wants_embedded(settings: Mapping[str, Any]) -> bool:
    return not any(settings.get(key) for key in ("target_url", "store_url", "api_url"))


def target_from_settings(settings: Mapping[str, Any]) -> Target:
    """The external target the settings describe; ``TargetError`` when they are incomplete."""
    target_url = settings.get("target_url")
    store_url = settings.get("store_url") or target_url
    api_url = settings.get("api_url") or target_url
    if not store_url or not api_url:
        raise TargetError(
            "give --target-url, or both --store-url and --api-url (or DR_TARGET_URL)")
    for flag, url in (("store", store_url), ("API", api_url)):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TargetError(f"the {flag} URL {url!r} is not an http(s) URL")

    missing = [flag for flag, key in (("--site-id", "site_id"), ("--client-id", "client_id"),
                                      ("--client-secret", "client_secret"))
               if not settings.get(key)]
    if missing:
        raise TargetError(f"an external target needs {', '.join(missing)} "
                          "(or their DR_* environment variables)")

    return Target(
        store_url=str(store_url).rstrip("/"),
        api_url=str(api_url).rstrip("/"),
        site_id=str(settings["site_id"]),
        api_key=settings.get("api_key") or None,
        client_id=settings["client_id"],
        client_secret=settings["client_secret"],
        session_ttl=settings.get("session_ttl"),
        session_ttl_tolerance=_tolerance(settings),
        timeout=_timeout(settings),
    )


def _timeout(settings: Mapping[str, Any]) -> float:
    timeout = settings.get("timeout")
    if timeout is None:
        return DEFAULT_TIMEOUT
    if timeout <= 0:
        raise TargetError("--timeout must be a positive number of seconds")
    return float(timeout)


def _tolerance(settings: Mapping[str, Any]) -> int:
    tolerance = settings.get("session_ttl_tolerance")
    if tolerance is None:
        return 60
    if tolerance < 0:
        raise TargetError("--session-ttl-tolerance must not be negative")
    return int(tolerance)


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    for spec in TARGET_OPTIONS:
        parser.add_argument(spec.flag, dest=spec.dest, type=spec.kind, default=None,
                            help=f"{spec.help} [{spec.env}]")
