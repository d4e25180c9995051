"""The OpenAPI description as schemathesis sees it, bound to the run's target.

``specs/openapi.yaml`` names the vendor's two hosts in per-path ``servers``; a target has a
store URL and an API URL instead, so the description is re-pointed at them before
schemathesis reads it, and every operation then goes to its own host, link-driven sequences
included. The target's credentials become schemathesis settings: HTTP Basic client
authentication on the token endpoint only, the site ID and public API key as likely (not
certain) values of their parameters, so that generated requests reach the flows behind
the refusals as well as the refusals themselves.

XML and JSONP answers are validated for real: the description states their schemas as the
value they carry once decoded (see its introduction), and the deserializers registered
here do that decoding, so a wrong XML member or a JSONP payload that breaks the schema is a
finding rather than a silent pass.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import yaml

from conformance.formats import JAVASCRIPT_TYPES, XML_TYPES, parse_jsonp, parse_xml
from conformance.paths import openapi_path
from conformance.target import Target

# The hosts the description names, and which URL of a target stands in for each.
STORE_HOST = "https://store.digitalriver.com"
API_HOST = "https://api.digitalriver.com"
TOKEN_OPERATION = "createToken"
SITE_ACTION_PATH = "/store/{siteId}/SessionToken"

# Strings no parameter of the contract expects: control characters, broken escapes, markup,
# characters outside the BMP, a long value. Generated strings are replaced by one of these now
# and then, because HY-NO-SERVER-ERROR holds for every input "however malformed" and random
# text reaches such corners only by luck.
MALFORMED_STRINGS: tuple[str, ...] = (
    "\x00", "\x01", "\x1b[0m", "\x7f", "a\nb", "a\tb", "\r\n", "%", "%0", "%zz", "%00",
    "\\", "\"", "'", "<x/>", "&amp;", "=", "+", " ", "\u2028", "\ufeff", "\u00e9",
    "\U0001f600", "A" * 1024,
)
MALFORMED_PROBABILITY = 0.08
SITE_PROBABILITY = 0.8
API_KEY_PROBABILITY = 0.5
KNOWN_TOKEN_PROBABILITY = 0.3


class DescriptionError(ValueError):
    """The description cannot be bound to the target (it names a host the suite does not
    know, say)."""


@dataclass(frozen=True)
class KnownValues:
    """Values the target really issued, mixed into generated requests now and then so that
    they reach token information, refresh and exchange with tokens that exist."""

    session_tokens: tuple[str, ...] = ()
    access_tokens: tuple[str, ...] = ()
    refresh_tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchemaSettings:
    """What the schemathesis configuration of one run is made of."""

    seed: int
    max_examples: int
    steps: int
    known: KnownValues = field(default_factory=KnownValues)


@functools.cache
def _raw_description() -> dict[str, Any]:
    with open(openapi_path(), encoding="utf-8") as file:
        loaded = yaml.safe_load(file)
    if not isinstance(loaded, dict):
        raise DescriptionError(f"{openapi_path()} is not an OpenAPI document")
    return loaded


def load_description() -> dict[str, Any]:
    """A fresh copy of specs/openapi.yaml as plain data (callers may change it)."""
    return copy.deepcopy(_raw_description())


def operation_ids(description: Mapping[str, Any] | None = None) -> list[str]:
    """Every operationId of the description, in document order."""
    description = _raw_description() if description is None else description
    found = []
    for item in description.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                found.append(str(operation["operationId"]))
    return found


def host_url(declared: str, target: Target) -> str:
    """The target's URL for a host the description declares."""
    if declared.rstrip("/") == STORE_HOST:
        return target.store_url
    if declared.rstrip("/") == API_HOST:
        return target.api_url
    raise DescriptionError(f"the description names the host {declared!r}, which is neither "
                           f"{STORE_HOST} nor {API_HOST}")


def bind_hosts(description: dict[str, Any], target: Target) -> dict[str, Any]:
    """The description with every ``servers`` entry pointing at the target's hosts."""
    bound = copy.deepcopy(description)
    bound["servers"] = [{"url": _rebind(server, target)} for server in bound.get("servers", [])]
    for item in bound.get("paths", {}).values():
        for holder in [item, *(op for op in item.values() if isinstance(op, dict))]:
            if "servers" in holder:
                holder["servers"] = [{"url": _rebind(s, target)} for s in holder["servers"]]
    return bound


def _rebind(server: Mapping[str, Any], target: Target) -> str:
    return host_url(str(server.get("url", "")), target)


def bind_site(description: dict[str, Any], site_id: str) -> dict[str, Any]:
    """The description with the site action's path fixed to one site.

    Link-driven sequences start from operations that need no made-up identifiers, and
    schemathesis only starts a sequence at a GET without path parameters; with the site
    fixed, a sequence can start where a shopper's does, at the site action.
    """
    bound = copy.deepcopy(description)
    paths = bound.get("paths", {})
    if SITE_ACTION_PATH not in paths:
        return bound
    item = paths.pop(SITE_ACTION_PATH)
    components = bound.get("components", {}).get("parameters", {})
    for holder in [item, *(op for op in item.values() if isinstance(op, dict))]:
        if "parameters" in holder:
            holder["parameters"] = [p for p in holder["parameters"]
                                    if not _is_site_parameter(p, components)]
    paths[SITE_ACTION_PATH.replace("{siteId}", quote(site_id, safe=""))] = item
    return bound


def _is_site_parameter(parameter: Mapping[str, Any], components: Mapping[str, Any]) -> bool:
    reference = str(parameter.get("$ref", ""))
    if reference.startswith("#/components/parameters/"):
        parameter = components.get(reference.rsplit("/", 1)[-1], {})
    return parameter.get("in") == "path" and parameter.get("name") == "siteId"


def config_dict(target: Target, settings: SchemaSettings) -> dict[str, Any]:
    """The schemathesis configuration (as its TOML file would say it) for one run."""
    dictionaries: dict[str, Any] = {"malformed": {"values": list(MALFORMED_STRINGS)},
                                    "site": {"values": [target.site_id]}}
    parameters: dict[str, Any] = {
        "path.siteId": {"dictionary": "site", "probability": SITE_PROBABILITY}}
    if target.api_key:
        dictionaries["api-key"] = {"values": [target.api_key]}
        parameters["query.apiKey"] = {"dictionary": "api-key",
                                      "probability": API_KEY_PROBABILITY}
    _bind_known(dictionaries, parameters, settings.known)

    config: dict[str, Any] = {
        "seed": settings.seed,
        "suppress-health-check": ["all"],
        "output": {"sanitization": {"enabled": False}},
        "generation": {
            "mode": "all",
            "max-examples": settings.max_examples,
            "database": "none",
            # Failures are recorded, never raised inside hypothesis, so nothing is shrunk.
            "no-shrink": True,
            "dictionaries": {"string": {"dictionary": "malformed",
                                        "probability": MALFORMED_PROBABILITY}},
        },
        "phases": {"stateful": {"max-steps": max(settings.steps, 2)}},
        "checks": {
            # A well-formed request naming a session token, refresh token, API key or site
            # that does not exist must be refused (EX-FORGED-SESSION-TOKEN, ST-UNKNOWN-SITE,
            # ...), so a 4xx for schema-valid data is no finding in this contract.
            "positive_data_acceptance": {"enabled": False},
        },
        "dictionaries": dictionaries,
        "parameters": parameters,
    }
    if target.client_id:
        config["operations"] = [{
            "include-operation-id": TOKEN_OPERATION,
            "auth": {"basic": {"username": _literal(target.client_id),
                               "password": _literal(target.client_secret or "")}},
        }]
    return config


def _bind_known(dictionaries: dict[str, Any], parameters: dict[str, Any],
                known: KnownValues) -> None:
    bindings: Sequence[tuple[str, tuple[str, ...], tuple[str, ...]]] = (
        ("session-tokens", known.session_tokens,
         ("body.dr_session_token", "query.session_token", "query.sessionToken")),
        ("access-tokens", known.access_tokens, ("query.token", "body.dr_limited_token")),
        ("refresh-tokens", known.refresh_tokens, ("body.refresh_token",)),
    )
    for name, values, keys in bindings:
        if not values:
            continue
        dictionaries[name] = {"values": list(values)}
        for key in keys:
            parameters[key] = {"dictionary": name, "probability": KNOWN_TOKEN_PROBABILITY}


def _literal(value: str) -> str:
    # schemathesis expands ${NAME} in configuration strings; "$${" is its escape for "${".
    return value.replace("${", "$${")


# --- answers in XML and JSONP -------------------------------------------------------------


def decode_xml(text: str) -> dict[str, Any]:
    """An XML answer as the description states it: a lone leaf element as
    ``{name: text}``, any other document as its root's children ``{child: text}``."""
    parsed = parse_xml(text)
    if parsed is None:
        raise ValueError("the body is not well-formed XML")
    (root, value), = parsed.items()
    if isinstance(value, dict):
        return value
    return {root: value}


def decode_jsonp(text: str) -> Any:
    """The JSON value a JSONP answer passes to its callback."""
    call = parse_jsonp(text)
    if call is None:
        raise ValueError("the body is not one call of a function with a JSON argument")
    return call.payload


_registered = False


def register_deserializers() -> None:
    """Teach schemathesis to read XML and JSONP answers (process-wide, done once)."""
    global _registered
    if _registered:
        return
    import schemathesis

    @schemathesis.deserializer(*sorted(XML_TYPES))
    def _xml(ctx: Any, response: Any) -> Any:
        return decode_xml(_text(response))

    @schemathesis.deserializer(*sorted(JAVASCRIPT_TYPES))
    def _javascript(ctx: Any, response: Any) -> Any:
        return decode_jsonp(_text(response))

    _registered = True


def _text(response: Any) -> str:
    content: bytes = response.content
    return content.decode("utf-8", errors="replace")


def load_schema(target: Target, settings: SchemaSettings, *, site_bound: bool = False) -> Any:
    """The description as a schemathesis schema for this target and run."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    register_deserializers()
    description = bind_hosts(load_description(), target)
    if site_bound:
        description = bind_site(description, target.site_id)
    config = SchemathesisConfig.from_dict(config_dict(target, settings))
    return schemathesis.openapi.from_dict(description, config=config)
