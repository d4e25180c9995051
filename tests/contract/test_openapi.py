"""The OpenAPI description in specs/openapi.yaml is valid and says what the contract says.

These tests guard the document itself, not a target: that it is a valid OpenAPI 3.1
description, that it covers exactly the endpoints in scope, that its links lead somewhere,
that every example it publishes fits its own schema, that schemathesis loads it, and that
its schemas accept the vendor's tolerated variants and refuse what the contract forbids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.paths import openapi_path

SPEC_URI = "urn:dr-conformance:openapi"

EXPECTED_OPERATIONS = {
    ("/store/{siteId}/SessionToken", "get"): "getSessionToken",
    ("/oauth20/token", "post"): "createToken",
    ("/v1/shoppers/token", "get"): "getShopperToken",
    ("/oauth20/access-tokens", "get"): "getTokenInformation",
    ("/oauth20/access-tokens", "delete"): "revokeToken",
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
STORE_HOST = "https://store.digitalriver.com"
API_HOST = "https://api.digitalriver.com"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with openapi_path().open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def registry(spec: dict[str, Any]) -> Registry:
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow local references (``#/components/...``) until a non-reference is reached."""
    while isinstance(node, dict) and "$ref" in node:
        reference = node["$ref"]
        assert reference.startswith("#/"), f"only local references are expected: {reference}"
        target: Any = spec
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _validator(registry: Registry, pointer: str) -> OAS31Validator:
    return OAS31Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry)


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def _examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Every example with the pointer of the schema it illustrates: (label, pointer, value).

    Media types and parameters carry ``example`` or ``examples`` beside ``schema``; schemas
    carry a JSON Schema ``examples`` list. The walk follows the document as written, so an
    example reached through a ``$ref`` to ``components/examples`` is checked where it is used.
    """
    stack: list[tuple[str, Any]] = [("", spec)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, list):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        if "schema" in node and isinstance(node["schema"], dict):
            schema_pointer = f"{pointer}/schema"
            if "example" in node:
                yield f"{pointer}/example", schema_pointer, node["example"]
            for name, example in node.get("examples", {}).items():
                resolved = _resolve(spec, example)
                if "value" in resolved:
                    yield f"{pointer}/examples/{name}", schema_pointer, resolved["value"]
        if pointer.startswith("/components/schemas/") and isinstance(node.get("examples"), list):
            for index, value in enumerate(node["examples"]):
                yield f"{pointer}/examples/{index}", pointer, value
        for key, child in node.items():
            stack.append((f"{pointer}/{_escape(str(key))}", child))


def _schema_errors(registry: Registry, name: str, instance: Any) -> list[ValidationError]:
    validator = _validator(registry, f"/components/schemas/{name}")
    return list(validator.iter_errors(instance))


# --- the document as a whole ------------------------------------------------------------


def test_document_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert str(spec["openapi"]).startswith("3.1."), spec["openapi"]

    validate_openapi(spec)


def test_validator_rejects_a_broken_copy(spec: dict[str, Any]) -> None:
    # Guards the test above: the validator in use must really judge 3.1 documents.
    broken = yaml.safe_load(yaml.safe_dump(spec))
    broken["paths"]["/oauth20/token"]["post"]["responses"] = "none"

    with pytest.raises(ValidationError):
        validate_openapi(broken)


def test_info_points_at_the_requirement_catalogue(spec: dict[str, Any]) -> None:
    assert "specs/requirements.yaml" in spec["info"]["description"]


# --- coverage of the contract ------------------------------------------------------------


def test_exactly_the_endpoints_in_scope(spec: dict[str, Any]) -> None:
    found = {(path, method): op.get("operationId") for path, method, op in _operations(spec)}

    assert found == EXPECTED_OPERATIONS


def test_operation_ids_are_unique(spec: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(spec)]

    assert len(ids) == len(set(ids))


def test_each_path_names_its_host(spec: dict[str, Any]) -> None:
    top_level = {server["url"] for server in spec["servers"]}
    assert top_level == {STORE_HOST, API_HOST}

    for path, item in spec["paths"].items():
        expected = STORE_HOST if path.startswith("/store/") else API_HOST
        assert [server["url"] for server in item["servers"]] == [expected], path


@pytest.mark.parametrize(
    ("path", "method", "names"),
    [
        (
            "/store/{siteId}/SessionToken",
            "get",
            {"siteId", "apiKey", "format", "callback", "locale", "currency"},
        ),
        ("/oauth20/token", "post", {"format"}),
        (
            "/v1/shoppers/token",
            "get",
            {"apiKey", "format", "session_token", "sessionToken", "callback"},
        ),
        ("/oauth20/access-tokens", "get", {"token", "format"}),
        ("/oauth20/access-tokens", "delete", {"token", "format"}),
    ],
)
def test_documented_parameters(
    spec: dict[str, Any], path: str, method: str, names: set[str]
) -> None:
    item = spec["paths"][path]
    parameters = [*item.get("parameters", []), *item[method].get("parameters", [])]

    assert {_resolve(spec, parameter)["name"] for parameter in parameters} == names


def test_token_request_form_fields(spec: dict[str, Any]) -> None:
    body = spec["paths"]["/oauth20/token"]["post"]["requestBody"]
    form = _resolve(spec, body["content"]["application/x-www-form-urlencoded"]["schema"])

    assert set(form["properties"]) >= {
        "grant_type",
        "dr_session_token",
        "refresh_token",
        "username",
        "password",
        "dr_external_reference_id",
        "dr_limited_token",
        "client_id",
        "format",
    }
    assert form["required"] == ["grant_type"]
    assert set(form["properties"]["grant_type"]["enum"]) == {
        "password",
        "refresh_token",
        "client_credentials",
    }


def test_security_requirements(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["clientBasic"] == {**schemes["clientBasic"], "type": "http", "scheme": "basic"}
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}

    operations = {op["operationId"]: op for _, _, op in _operations(spec)}
    assert operations["createToken"]["security"] == [{"clientBasic": []}]
    # The token query parameter works without any header, so bearer must stay optional.
    for operation_id in ("getTokenInformation", "revokeToken"):
        assert operations[operation_id]["security"] == [{"bearerAuth": []}, {}]
    for operation_id in ("getSessionToken", "getShopperToken"):
        assert operations[operation_id]["security"] == []


def test_no_default_responses(spec: dict[str, Any]) -> None:
    # A default response would make every status conform and blunt status checks.
    for path, method, operation in _operations(spec):
        assert "default" not in operation["responses"], (method, path)


def test_every_operation_documents_its_refusals(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        statuses = set(operation["responses"])
        assert {"200", "400", "401", "403", "406", "409", "429"} <= statuses, (method, path)
        assert not any(status.startswith("5") for status in statuses), (method, path)


def test_token_answers_come_in_every_format(spec: dict[str, Any]) -> None:
    formats = {"application/json", "application/xml", "text/xml"}
    jsonp = {
        "application/javascript",
        "text/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/ecmascript",
    }

    for path, method, operation in _operations(spec):
        content = set(_resolve(spec, operation["responses"]["200"])["content"])
        expected = (
            formats | jsonp
            if operation["operationId"]
            in {
                "getSessionToken",
                "getShopperToken",
            }
            else formats
        )
        assert content == expected, (method, path)


def test_token_answers_document_cache_control(spec: dict[str, Any]) -> None:
    for operation_id in ("getSessionToken", "createToken", "getShopperToken"):
        operation = next(op for _, _, op in _operations(spec) if op["operationId"] == operation_id)
        header = _resolve(spec, operation["responses"]["200"]["headers"]["Cache-Control"])
        assert header.get("required", False) is False


# --- links -----------------------------------------------------------------------------


def _links(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for _, _, operation in _operations(spec):
        for status, response in operation["responses"].items():
            for name, link in _resolve(spec, response).get("links", {}).items():
                yield operation["operationId"], f"{status} {name}", _resolve(spec, link)


def test_every_link_targets_a_known_operation(spec: dict[str, Any]) -> None:
    known = {op["operationId"] for _, _, op in _operations(spec)}
    links = list(_links(spec))

    assert links
    for source, name, link in links:
        assert link.get("operationId") in known, (source, name)


def test_the_session_aware_flow_is_linked(spec: dict[str, Any]) -> None:
    links = {(source, name): link for source, name, link in _links(spec)}

    exchange = links[("getSessionToken", "200 ExchangeSessionToken")]
    assert exchange["operationId"] == "createToken"
    assert exchange["requestBody"] == {
        "grant_type": "password",
        "dr_session_token": "$response.body#/session_token",
    }

    refresh = links[("createToken", "200 RefreshToken")]
    assert refresh["operationId"] == "createToken"
    assert refresh["requestBody"] == {
        "grant_type": "refresh_token",
        "refresh_token": "$response.body#/refresh_token",
    }

    for source, name, target in [
        ("createToken", "200 TokenInformation", "getTokenInformation"),
        ("createToken", "200 RevokeToken", "revokeToken"),
        ("getShopperToken", "200 TokenInformation", "getTokenInformation"),
    ]:
        assert links[(source, name)]["operationId"] == target
        assert links[(source, name)]["parameters"] == {
            "query.token": "$response.body#/access_token"
        }

    after_revocation = links[("revokeToken", "200 InformationAfterRevocation")]
    assert after_revocation["operationId"] == "getTokenInformation"
    assert after_revocation["parameters"] == {"query.token": "$request.query.token"}


# --- examples --------------------------------------------------------------------------


def test_every_example_fits_its_schema(spec: dict[str, Any], registry: Registry) -> None:
    examples = list(_examples(spec))
    assert len(examples) >= 15, "the walk found fewer examples than the document holds"

    failures = []
    for label, schema_pointer, value in examples:
        errors = list(_validator(registry, schema_pointer).iter_errors(value))
        failures.extend(f"{label}: {error.message}" for error in errors)

    assert failures == []


def test_every_named_example_states_where_it_comes_from(spec: dict[str, Any]) -> None:
    for name, example in spec["components"]["examples"].items():
        assert example.get("x-provenance"), name
        assert example.get("description"), name


def test_examples_carry_no_credentials(spec: dict[str, Any]) -> None:
    # Vendor pages and public code contain real API keys; none may reach the document.
    for name, example in spec["components"]["examples"].items():
        value = example["value"]
        if isinstance(value, dict):
            assert not {"apiKey", "client_id", "client_secret", "password"} & set(value), name


# --- schemas: tolerated variants validate, forbidden shapes do not -----------------------

FLAT_TOKEN = {
    "access_token": "a" * 160,
    "token_type": "bearer",
    "expires_in": 86397,
    "refresh_token": "b" * 176,
}
WITHOUT_REFRESH = {key: value for key, value in FLAT_TOKEN.items() if key != "refresh_token"}


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(FLAT_TOKEN, id="flat"),
        pytest.param({**FLAT_TOKEN, "expires_in": "86397"}, id="string-lifetime"),
        pytest.param({"token": FLAT_TOKEN}, id="wrapped"),
        pytest.param({**FLAT_TOKEN, "token_type": "Bearer", "scope": "x"}, id="case-and-extra"),
        pytest.param({"session_token": "1A9C61A6B8B54BD7087A5AD8986A17FA"}, id="session-token"),
    ],
)
def test_site_action_accepts_tolerated_variants(registry: Registry, answer: Any) -> None:
    assert _schema_errors(registry, "SiteActionAnswer", answer) == []


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({**FLAT_TOKEN, "token_type": "mac"}, id="mac"),
        pytest.param(WITHOUT_REFRESH, id="no-refresh"),
        pytest.param({**FLAT_TOKEN, "expires_in": "soon"}, id="lifetime-text"),
        pytest.param({**FLAT_TOKEN, "expires_in": -1}, id="negative-lifetime"),
        pytest.param({"sessionToken": "1A9C61A6B8B54BD7087A5AD8986A17FA"}, id="renamed"),
        pytest.param("1A9C61A6B8B54BD7087A5AD8986A17FA", id="bare-string"),
    ],
)
def test_site_action_refuses_what_the_contract_forbids(registry: Registry, answer: Any) -> None:
    assert _schema_errors(registry, "SiteActionAnswer", answer) != []


def test_client_credentials_answer_may_omit_the_refresh_token(registry: Registry) -> None:
    assert _schema_errors(registry, "IssuedTokenAnswer", WITHOUT_REFRESH) == []
    assert _schema_errors(registry, "TokenAnswer", WITHOUT_REFRESH) != []


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            {"access_token": "x", "token_type": "bearer", "expires_in": "60", "refresh_token": "y"},
            id="token",
        ),
        pytest.param({"session_token": "1A9C61A6B8B54BD7087A5AD8986A17FA"}, id="session-token"),
    ],
)
def test_xml_answers_accept_text_members(registry: Registry, answer: Any) -> None:
    assert _schema_errors(registry, "SiteActionAnswerXml", answer) == []


def test_xml_token_information_accepts_text_members(registry: Registry) -> None:
    decoded = {
        "sessionId": "63293199710",
        "expiresIn": "84156",
        "authenticated": "false",
        "cartId": None,
        "locale": "en_US",
    }

    assert _schema_errors(registry, "TokenInformationXml", decoded) == []
    assert _schema_errors(registry, "TokenInformationXml", {"info": decoded}) == []
    assert _schema_errors(registry, "TokenInformationXml", {**decoded, "expiresIn": "x"}) != []
    assert _schema_errors(registry, "TokenInformationXml", {"a": decoded, "b": decoded}) != []


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        pytest.param({}, True, id="as-documented"),
        pytest.param({"sessionId": 63293199710, "userId": 495174262412}, True, id="numeric-ids"),
        pytest.param({"authenticated": False}, True, id="boolean"),
        pytest.param({"extra": 1}, True, id="extra-member"),
        pytest.param({"locale": 1033}, False, id="numeric-locale"),
        pytest.param({"expiresIn": "86397"}, False, id="string-lifetime"),
        pytest.param({"authenticated": "no"}, False, id="authenticated-word"),
    ],
)
def test_token_information_schema(registry: Registry, change: dict[str, Any], valid: bool) -> None:
    answer = {"sessionId": "s1", "expiresIn": 86397, "authenticated": "true", "locale": "en_US"}

    errors = _schema_errors(registry, "TokenInformation", {**answer, **change})

    assert (errors == []) is valid


def test_token_information_requires_session_and_lifetime(registry: Registry) -> None:
    for missing in ("sessionId", "expiresIn", "authenticated"):
        answer = {"sessionId": "s1", "expiresIn": 1, "authenticated": "false"}
        del answer[missing]
        assert _schema_errors(registry, "TokenInformation", answer) != [], missing


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        pytest.param({"errors": {"error": [{"code": "invalid_token"}]}}, True, id="list"),
        pytest.param({"errors": {"error": {"code": "invalid_token"}}}, True, id="single"),
        pytest.param({"error": "invalid_token"}, True, id="oauth"),
        pytest.param({"message": "Invalid Token"}, False, id="neither"),
        pytest.param({"error": ""}, False, id="empty-code"),
    ],
)
def test_error_object_shapes(registry: Registry, body: Any, valid: bool) -> None:
    assert (_schema_errors(registry, "ErrorObject", body) == []) is valid


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        pytest.param({"error": "invalid_client"}, True, id="error"),
        pytest.param("<html>not found</html>", True, id="text"),
        pytest.param(None, True, id="null"),
        pytest.param({"access_token": "x"}, False, id="access-token"),
        pytest.param({"session_token": "x"}, False, id="session-token"),
        pytest.param({"token": {"access_token": "x"}}, False, id="wrapped"),
    ],
)
def test_refusals_hand_out_no_token(registry: Registry, body: Any, valid: bool) -> None:
    assert (_schema_errors(registry, "NoTokenIssued", body) == []) is valid


def test_callback_parameter_admits_only_identifier_paths(
    spec: dict[str, Any], registry: Registry
) -> None:
    validator = _validator(registry, "/components/parameters/Callback/schema")

    for name in ("cb", "jQuery1234_5678", "a.b.$c"):
        assert validator.is_valid(name), name
    for name in ("alert(1)//", "a b", "1abc", "a..b", "x;y", ""):
        assert not validator.is_valid(name), name


# --- schemathesis ----------------------------------------------------------------------


def test_schemathesis_loads_every_operation() -> None:
    schema = schemathesis.openapi.from_path(str(openapi_path()))

    labels = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.add(operation.label)

    assert labels == {
        "GET /store/{siteId}/SessionToken",
        "POST /oauth20/token",
        "GET /v1/shoppers/token",
        "GET /oauth20/access-tokens",
        "DELETE /oauth20/access-tokens",
    }


def test_schemathesis_resolves_every_link(spec: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_path(str(openapi_path()))

    # Building the state machine raises on a link whose target or expression is broken.
    schema.as_state_machine()

    assert schema.statistic.transitions.total == sum(1 for _ in _links(spec))


def test_schemathesis_uses_each_paths_own_host() -> None:
    schema = schemathesis.openapi.from_path(str(openapi_path()))

    hosts = {result.ok().label: result.ok().base_url for result in schema.get_all_operations()}

    assert hosts["GET /store/{siteId}/SessionToken"] == STORE_HOST
    assert hosts["POST /oauth20/token"] == API_HOST
