"""Settings of the reference implementation: sites, public API keys, clients, faults.

A site has a shopper-session timeout (the contract's *site session timeout*), which is the
lifetime of its session tokens and the ``expires_in`` of every access token issued for it.
Public API keys and confidential clients each belong to one site, as the vendor's API keys
do; a token request is served for the site of the client that makes it.

The defaults describe one site, one public key and one confidential client, which is what
the suite needs when it starts the reference on its own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from conformance.reference.faults import UnknownFaultError, parse_faults

DEFAULT_SITE_ID = "drsite"
DEFAULT_SESSION_TTL = 86400
DEFAULT_API_KEY = "pk-reference-public-key"
DEFAULT_CLIENT_ID = "reference-client"
DEFAULT_CLIENT_SECRET = "reference-secret"
DEFAULT_CAPACITY = 100_000


class ConfigError(ValueError):
    """The reference cannot run as configured; the message is one line for the user."""


@dataclass(frozen=True)
class Site:
    site_id: str
    session_ttl: int


@dataclass(frozen=True)
class PublicKey:
    """A public API key: it identifies a site but proves nothing, so it has no secret."""

    key: str
    site_id: str


@dataclass(frozen=True)
class Client:
    """A confidential client, authenticated with HTTP Basic ``client_id:secret``."""

    client_id: str
    secret: str = field(repr=False)
    site_id: str = DEFAULT_SITE_ID


@dataclass(frozen=True)
class ReferenceConfig:
    site_id: str = DEFAULT_SITE_ID
    session_ttl: int = DEFAULT_SESSION_TTL
    api_key: str = DEFAULT_API_KEY
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    faults: frozenset[str] = frozenset()
    extra_sites: tuple[Site, ...] = ()
    extra_api_keys: tuple[PublicKey, ...] = ()
    extra_clients: tuple[Client, ...] = ()
    # Upper bound on remembered sessions and tokens of each kind; the oldest go first.
    capacity: int = DEFAULT_CAPACITY
    _sites: dict[str, Site] = field(init=False, repr=False, compare=False)
    _keys: dict[str, PublicKey] = field(init=False, repr=False, compare=False)
    _clients: dict[str, Client] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "faults", parse_faults(tuple(self.faults)))
        except UnknownFaultError as exc:
            raise ConfigError(str(exc)) from exc
        _check_positive("session_ttl", self.session_ttl)
        _check_positive("capacity", self.capacity)
        shared = {k.key for k in self.api_keys} & {c.client_id for c in self.clients}
        if shared:
            # The token endpoint tells a public client from a confidential one by its ID.
            raise ConfigError(f"{sorted(shared)[0]!r} is both a public key and a client ID")
        sites = _unique("site", (s.site_id for s in self.sites), self.sites)
        keys = _unique("public API key", (k.key for k in self.api_keys), self.api_keys)
        clients = _unique("client", (c.client_id for c in self.clients), self.clients)
        self._check_references(sites, keys.values(), clients.values())
        object.__setattr__(self, "_sites", sites)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_clients", clients)

    @property
    def sites(self) -> tuple[Site, ...]:
        return (Site(self.site_id, self.session_ttl), *self.extra_sites)

    @property
    def api_keys(self) -> tuple[PublicKey, ...]:
        return (PublicKey(self.api_key, self.site_id), *self.extra_api_keys)

    @property
    def clients(self) -> tuple[Client, ...]:
        return (Client(self.client_id, self.client_secret, self.site_id), *self.extra_clients)

    @property
    def default_site(self) -> Site:
        return self.sites[0]

    def site(self, site_id: str) -> Site | None:
        return self._sites.get(site_id)

    def site_of(self, site_id: str) -> Site:
        """The site a configured key or client belongs to (checked at construction)."""
        return self._sites[site_id]

    def public_key(self, key: str) -> PublicKey | None:
        return self._keys.get(key)

    def client(self, client_id: str) -> Client | None:
        return self._clients.get(client_id)

    def has_fault(self, name: str) -> bool:
        return name in self.faults

    def with_faults(self, *names: str) -> ReferenceConfig:
        return replace(self, faults=frozenset(names))

    @staticmethod
    def _check_references(sites: Mapping[str, Site], keys: Iterable[PublicKey],
                          clients: Iterable[Client]) -> None:
        owners = [(f"public key {k.key!r}", k.site_id) for k in keys]
        owners += [(f"client {c.client_id!r}", c.site_id) for c in clients]
        for owner, site_id in owners:
            if site_id not in sites:
                raise ConfigError(f"{owner} names the unknown site {site_id!r}")
        for site in sites.values():
            _check_positive(f"session_ttl of site {site.site_id!r}", site.session_ttl)

    @classmethod
    def from_toml(cls, path: str | Path) -> ReferenceConfig:
        """Settings from a TOML file; see ``from_mapping`` for its keys."""
        try:
            with open(path, "rb") as file:
                data = tomllib.load(file)
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "config") -> ReferenceConfig:
        """Settings from a mapping shaped like the TOML file.

        Top-level keys are the constructor's scalar fields plus ``faults`` (a list of
        names); ``[[sites]]`` tables take ``site_id`` and ``session_ttl``, ``[[api_keys]]``
        take ``key`` and ``site_id``, ``[[clients]]`` take ``client_id``, ``client_secret``
        and ``site_id``. A site's ``site_id`` may be left out of keys and clients to mean
        the main site.
        """
        reader = _Reader(data, source)
        main_site = reader.text("site_id", DEFAULT_SITE_ID)
        config = cls(
            site_id=main_site,
            session_ttl=reader.integer("session_ttl", DEFAULT_SESSION_TTL),
            api_key=reader.text("api_key", DEFAULT_API_KEY),
            client_id=reader.text("client_id", DEFAULT_CLIENT_ID),
            client_secret=reader.text("client_secret", DEFAULT_CLIENT_SECRET),
            faults=frozenset(reader.texts("faults")),
            capacity=reader.integer("capacity", DEFAULT_CAPACITY),
            extra_sites=tuple(
                Site(t.text("site_id"), t.integer("session_ttl", DEFAULT_SESSION_TTL))
                for t in reader.tables("sites")),
            extra_api_keys=tuple(
                PublicKey(t.text("key"), t.text("site_id", main_site))
                for t in reader.tables("api_keys")),
            extra_clients=tuple(
                Client(t.text("client_id"), t.text("client_secret"), t.text("site_id", main_site))
                for t in reader.tables("clients")),
        )
        reader.refuse_unknown()
        return config


_NO_DEFAULT: Any = object()


class _Reader:
    """Typed access to one table of the TOML file, remembering which keys were read."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self._data = data
        self._where = where
        self._read: set[str] = set()
        self._children: list[_Reader] = []

    def _get(self, key: str, default: Any) -> Any:
        self._read.add(key)
        if key in self._data:
            return self._data[key]
        if default is _NO_DEFAULT:
            raise ConfigError(f"{self._where}: {key} is required")
        return default

    def text(self, key: str, default: str = _NO_DEFAULT) -> str:
        value = self._get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{self._where}: {key} must be a non-empty string")
        return value

    def integer(self, key: str, default: int = _NO_DEFAULT) -> int:
        value = self._get(key, default)
        # bool is an int subclass; `session_ttl = true` is a mistake, not 1 second.
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{self._where}: {key} must be an integer")
        return value

    def texts(self, key: str) -> list[str]:
        value = self._get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self._where}: {key} must be a list of strings")
        return value

    def tables(self, key: str) -> list[_Reader]:
        value = self._get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{self._where}: {key} must be an array of tables")
        readers = [_Reader(table, f"{self._where} {key}[{i}]") for i, table in enumerate(value)]
        self._children.extend(readers)
        return readers

    def refuse_unknown(self) -> None:
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            raise ConfigError(f"{self._where}: unknown setting(s) {', '.join(unknown)}")
        for child in self._children:
            child.refuse_unknown()


def _check_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{name} must be a positive whole number")


_T = TypeVar("_T")


def _unique(kind: str, names: Iterable[str], items: tuple[_T, ...]) -> dict[str, _T]:
    found: dict[str, _T] = {}
    for name, item in zip(names, items, strict=True):
        if not name:
            raise ConfigError(f"a {kind} needs a non-empty name")
        if name in found:
            raise ConfigError(f"the {kind} {name!r} is configured twice")
        found[name] = item
    return found
