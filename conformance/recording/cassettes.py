"""Cassettes: the vcrpy configuration, the layout of a cassette folder and its provenance.

A cassette folder holds one recording of one target:

- ``provenance.json``: where and how it was recorded (target URLs, site ID, site session
  timeout, suite version, seed, date, catalogue digest) and the pseudonyms that stand for
  the target's credentials, so a replay presents what the recording shows;
- ``<test module>/<test name>.yaml``: one vcrpy cassette per scenario test, with the test's
  node ID in its metadata;
- ``<test module>/<test name>.setup.yaml``: the requests made while the test's fixtures
  were set up, when there were any (the preflight in the first test's, a module's shared
  token samples in the first test of that module). Setup and call have separate files
  because each is played from its start: one file for both would let the call replay an
  identical request's answer that belonged to the setup.

Everything vcrpy records passes through ``scrub_request`` and ``scrub_response`` first,
so no credential or token reaches the disk (see ``scrub``).
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from conformance import __version__
from conformance.evidence import ObservedRequest, ObservedResponse
from conformance.formats import parse_body
from conformance.recording.scrub import (
    Pseudonyms,
    ScrubError,
    cookie_values,
    scrub_authorization,
    secret_members,
)

if TYPE_CHECKING:
    import vcr
    from vcr.request import Request as VcrRequest

# vcrpy is imported where it is used, not here: pytest-recording asks pytest to rewrite
# vcr.matchers when it loads, which fails with a warning (an error under -W error) if the
# suite's plugin had imported vcrpy first.

PROVENANCE_NAME = "provenance.json"
CASSETTE_SUFFIX = ".yaml"
SETUP_SUFFIX = ".setup"
DEFAULT_CASSETTE_ROOT = Path("cassettes")

# The body is matched too: several requests of one test share a method, path and query
# and differ only in the session token they carry. Headers are not: on replay they carry
# the same pseudonyms anyway, and the order of play keeps requests apart.
MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")

# vcrpy logs requests and responses before they are scrubbed, and httpx logs every URL
# (token information carries the token in its query); neither may reach a log file.
NOISY_LOGGERS = ("vcr", "httpx", "httpcore")

CONTENT_ENCODINGS_READ = ("gzip", "deflate")


def default_cassette_dir(target_name: str) -> Path:
    return DEFAULT_CASSETTE_ROOT / target_name


def safe_name(name: str) -> str:
    """A test name as a file name: characters file systems refuse become '-'."""
    for char in '<>?%*:|"\'/\\ ':
        name = name.replace(char, "-")
    return name


def cassette_path(directory: Path, module: str, test: str, *, setup: bool = False) -> Path:
    suffix = SETUP_SUFFIX if setup else ""
    return directory / safe_name(module) / f"{safe_name(test)}{suffix}{CASSETTE_SUFFIX}"


def cassette_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob(f"*{CASSETTE_SUFFIX}"))


# --- provenance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a cassette folder came from; never a secret (credentials are pseudonyms)."""

    target_name: str
    store_url: str
    api_url: str
    site_id: str
    session_ttl: int | None
    session_ttl_tolerance: int
    seed: int
    wait_seconds: float
    recorded_at: str
    catalogue_digest: str
    suite_version: str = __version__
    embedded: bool = False
    faults: tuple[str, ...] = ()
    # The profiles the recording was limited to (none: every profile); a replay judges the
    # same ones, as the values the suite makes up depend on which tests ran before.
    profiles: tuple[str, ...] = ()
    api_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    pseudonymised: dict[str, int] = field(default_factory=dict)
    vcrpy_version: str = field(default_factory=lambda: metadata.version("vcrpy"))
    source: str = "recorded by dr-conformance record"
    notes: tuple[str, ...] = ()

    def to_json(self) -> str:
        data = asdict(self)
        data["faults"] = list(self.faults)
        data["profiles"] = list(self.profiles)
        data["notes"] = list(self.notes)
        data["credentials_are_pseudonyms"] = True
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / PROVENANCE_NAME
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    def target_settings(self) -> dict[str, Any]:
        """The target options that replay this recording: its URLs and pseudonyms."""
        return {"target_url": None, "store_url": self.store_url, "api_url": self.api_url,
                "site_id": self.site_id, "api_key": self.api_key,
                "client_id": self.client_id, "client_secret": self.client_secret,
                "session_ttl": self.session_ttl,
                "session_ttl_tolerance": self.session_ttl_tolerance}


class ProvenanceError(ValueError):
    """A cassette folder has no readable provenance; the message is one line."""


def read_provenance(directory: Path) -> Provenance:
    path = directory / PROVENANCE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProvenanceError(f"no {PROVENANCE_NAME} in {directory}: record it first "
                              "(dr-conformance record)") from None
    except ValueError as exc:
        raise ProvenanceError(f"{path} is not JSON: {exc}") from None
    known = {f.name for f in fields(Provenance)}
    values = {key: value for key, value in data.items() if key in known}
    for name in ("faults", "profiles", "notes"):
        values[name] = tuple(values.get(name) or ())
    try:
        return Provenance(**values)
    except TypeError as exc:
        raise ProvenanceError(f"{path} lacks a field: {exc}") from None


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def without_userinfo(url: str) -> str:
    """A URL without ``user:password@``, which would put a credential in the provenance."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


# --- vcrpy -----------------------------------------------------------------------------------


CredentialSource = Callable[[], Mapping[str, str | None]]


class RecordingScrubber:
    """vcrpy's before-record hooks: learn secrets, then write pseudonyms in their place.

    The response hook cannot see its request and the request hook cannot see its
    response, so the secrets are learned where they first appear: configured credentials
    before anything is sent, issued tokens from the answers that hand them out. A token is
    therefore known before any later request presents it.
    """

    def __init__(self, pseudonyms: Pseudonyms, credentials: CredentialSource) -> None:
        self.pseudonyms = pseudonyms
        self._credentials = credentials

    def refresh(self) -> None:
        for kind, value in self._credentials().items():
            if value:
                self.pseudonyms.learn(value, kind)

    def request(self, request: VcrRequest) -> VcrRequest:
        self.refresh()
        clean = copy.deepcopy(request)
        clean.uri = self.pseudonyms.text(request.uri)
        clean.body = _scrub_bytes(request.body, self.pseudonyms)
        headers = {}
        for name, value in request.headers.items():
            if name.lower() in ("authorization", "proxy-authorization"):
                headers[name] = scrub_authorization(str(value), self.pseudonyms)
            else:
                headers[name] = self.pseudonyms.text(str(value))
        clean.headers = headers
        return clean

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        self.refresh()
        clean = decoded(response)
        body = clean["body"]["string"]
        text = body.decode("utf-8", "surrogateescape") if isinstance(body, bytes) else str(body)
        headers: dict[str, list[str]] = clean["headers"]
        self._learn(text, headers, clean["status"]["code"])
        clean["body"]["string"] = self.pseudonyms.text(text).encode("utf-8", "surrogateescape")
        clean["headers"] = {name: [self.pseudonyms.text(str(v)) for v in values]
                            for name, values in headers.items()}
        return clean

    def _learn(self, text: str, headers: Mapping[str, list[str]], status: int) -> None:
        flat = tuple((name, str(value)) for name, values in headers.items() for value in values)
        data = parse_body(ObservedResponse(status, flat, text))
        for value, kind in secret_members(data):
            self.pseudonyms.learn(value, kind)
        for name, value in flat:
            if name.lower() == "set-cookie":
                for cookie in cookie_values(value):
                    self.pseudonyms.learn(cookie, "cookie")


def decoded(response: dict[str, Any]) -> dict[str, Any]:
    """The response with its body decompressed; a body that cannot be read cannot be
    scrubbed, so it is refused rather than written."""
    from vcr.filters import decode_response

    # decode_response works on a deep copy, so the caller's response is left alone.
    clean: dict[str, Any] = decode_response(response)
    for name, values in clean["headers"].items():
        if name.lower() == "content-encoding" and any(
                v.strip().lower() not in ("", "identity") for v in values):
            raise ScrubError(f"cannot read a body sent with Content-Encoding {values}; "
                             f"only {', '.join(CONTENT_ENCODINGS_READ)} can be scrubbed")
    return clean


def _scrub_bytes(body: Any, pseudonyms: Pseudonyms) -> Any:
    if isinstance(body, bytes):
        text = body.decode("utf-8", "surrogateescape")
        return pseudonyms.text(text).encode("utf-8", "surrogateescape")
    if isinstance(body, str):
        return pseudonyms.text(body)
    return body


def recording_vcr(scrubber: RecordingScrubber) -> vcr.VCR:
    import vcr

    return vcr.VCR(
        serializer="yaml",
        record_mode="all",
        match_on=MATCH_ON,
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        decode_compressed_response=False,
    )


class ReadOnlyPersister:
    """Loads cassettes like vcrpy's file persister and refuses to write any."""

    @staticmethod
    def load_cassette(cassette_path: Any, serializer: Any) -> Any:
        from vcr.persisters.filesystem import FilesystemPersister

        return FilesystemPersister.load_cassette(cassette_path, serializer)

    @staticmethod
    def save_cassette(cassette_path: Any, cassette_dict: Any, serializer: Any) -> None:
        raise RuntimeError(f"a replay never writes cassettes (tried {cassette_path})")


def replay_vcr() -> vcr.VCR:
    """Play back what the cassettes hold; let anything else fall through to the network.

    The fall-through meets the network guard, which refuses the connection, so a request
    the recording could not send either (it failed before any answer) fails the same way
    on replay: as an HTTP library error the flow client records, not as an exception that
    stops the test. Nothing is ever written: the persister refuses.
    """
    import vcr

    replayer = vcr.VCR(serializer="yaml", record_mode="new_episodes", match_on=MATCH_ON)
    replayer.register_persister(ReadOnlyPersister)
    return replayer


@contextlib.contextmanager
def quiet_http_logs() -> Iterator[None]:
    """Raise the noisy HTTP loggers to WARNING for the duration, then restore them."""
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# --- reading cassettes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    request: ObservedRequest
    response: ObservedResponse


@dataclass(frozen=True)
class CassetteFile:
    path: Path
    interactions: tuple[Interaction, ...]
    metadata: dict[str, Any]


def read_cassette(path: Path) -> CassetteFile:
    from vcr.serialize import deserialize
    from vcr.serializers import yamlserializer

    loaded = deserialize(path.read_text(encoding="utf-8"), yamlserializer)
    requests, responses = loaded[0], loaded[1]
    metadata = dict(loaded[2]) if len(loaded) > 2 else {}
    interactions = tuple(
        Interaction(_observed_request(request), _observed_response(response))
        for request, response in zip(requests, responses, strict=True))
    return CassetteFile(path, interactions, metadata)


def _observed_request(request: Any) -> ObservedRequest:
    body = request.body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    headers = tuple((str(name), str(value)) for name, value in request.headers.items())
    return ObservedRequest(str(request.method), str(request.uri), headers, text)


def _observed_response(response: Mapping[str, Any]) -> ObservedResponse:
    body = response["body"]["string"]
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    headers = tuple((str(name), str(value)) for name, values in response["headers"].items()
                    for value in (values if isinstance(values, list) else [values]))
    return ObservedResponse(int(response["status"]["code"]), headers, text)
