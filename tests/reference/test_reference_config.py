"""Settings of the reference: defaults, validation, the TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.reference.config import (
    Client,
    ConfigError,
    PublicKey,
    ReferenceConfig,
    Site,
)
from conformance.reference.tokens import TokenFactory, site_suffix


def test_defaults() -> None:
    config = ReferenceConfig()

    assert (config.site_id, config.session_ttl) == ("drsite", 86400)
    assert config.api_key == "pk-reference-public-key"
    assert (config.client_id, config.client_secret) == ("reference-client", "reference-secret")
    assert config.faults == frozenset()
    assert config.public_key("pk-reference-public-key") == PublicKey("pk-reference-public-key",
                                                                      "drsite")
    assert config.client("reference-client") is not None
    assert config.site("elsewhere") is None


def test_secrets_stay_out_of_repr() -> None:
    config = ReferenceConfig(extra_clients=(Client("c2", "hidden-secret-2"),))

    assert "reference-secret" not in repr(config)
    assert "hidden-secret-2" not in repr(config)


@pytest.mark.parametrize("kwargs, message", [
    ({"faults": frozenset({"no-such-fault"})}, "unknown fault"),
    ({"session_ttl": 0}, "session_ttl"),
    ({"session_ttl": True}, "session_ttl"),
    ({"capacity": -1}, "capacity"),
    ({"extra_sites": (Site("drsite", 60),)}, "configured twice"),
    ({"extra_sites": (Site("other", 0),)}, "session_ttl of site"),
    ({"extra_api_keys": (PublicKey("pk-x", "nowhere"),)}, "unknown site"),
    ({"extra_clients": (Client("c", "s", "nowhere"),)}, "unknown site"),
    ({"extra_clients": (Client("pk-reference-public-key", "s"),)}, "both a public key"),
    ({"api_key": ""}, "non-empty"),
])
def test_invalid_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ReferenceConfig(**kwargs)  # type: ignore[arg-type]


def test_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "reference.toml"
    path.write_text("""
site_id = "main"
session_ttl = 3600
api_key = "pk-main"
client_id = "main-client"
client_secret = "main-secret"
faults = ["same-session"]
capacity = 500

[[sites]]
site_id = "second"
session_ttl = 60

[[api_keys]]
key = "pk-second"
site_id = "second"

[[clients]]
client_id = "second-client"
client_secret = "second-secret"
site_id = "second"
""")

    config = ReferenceConfig.from_toml(path)

    assert config.default_site == Site("main", 3600)
    assert config.site("second") == Site("second", 60)
    assert config.public_key("pk-second") == PublicKey("pk-second", "second")
    assert config.client("second-client") == Client("second-client", "second-secret", "second")
    assert config.faults == frozenset({"same-session"})
    assert config.capacity == 500


@pytest.mark.parametrize("text, message", [
    ("session_ttl = 'long'", "session_ttl must be an integer"),
    ("colour = 'blue'", "unknown setting"),
    ("[[sites]]\nsession_ttl = 5", "site_id is required"),
    ("[[clients]]\nclient_id = 'x'\nclient_secret = 's'\nextra = 1", "unknown setting"),
    ("faults = 'same-session'", "list of strings"),
    ("faults = ['nope']", "unknown fault"),
    ("site_id = ", "not valid TOML"),
])
def test_bad_toml(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "reference.toml"
    path.write_text(text)

    with pytest.raises(ConfigError, match=message):
        ReferenceConfig.from_toml(path)


def test_missing_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        ReferenceConfig.from_toml(tmp_path / "absent.toml")


def test_token_shapes() -> None:
    factory = TokenFactory()
    access = factory.access_token("drsite")
    refresh = factory.refresh_token(access)

    assert len(factory.session_token()) == 32
    assert len(access) == 160 and access.endswith(site_suffix("drsite"))
    assert len(refresh) == 176 and refresh[:64] == access[:64]
    assert site_suffix("drsite") != site_suffix("other")


def test_session_ids_never_repeat_and_have_12_digits() -> None:
    factory = TokenFactory()
    ids = [factory.session_id() for _ in range(10_000)]

    assert len(set(ids)) == len(ids)
    assert all(len(value) == 12 and value.isdigit() for value in ids)


def test_serve_options_override_the_file(tmp_path: Path) -> None:
    from argparse import Namespace

    from conformance.reference.server import config_from_args

    path = tmp_path / "reference.toml"
    path.write_text('site_id = "from-file"\nsession_ttl = 100\nfaults = ["same-session"]\n')
    args = Namespace(config=path, site_id=None, api_key="pk-flag", client_id=None,
                     client_secret=None, session_ttl=200, fault=["short-tokens"])

    config = config_from_args(args)

    assert (config.site_id, config.session_ttl, config.api_key) == ("from-file", 200, "pk-flag")
    assert config.faults == frozenset({"same-session", "short-tokens"})
