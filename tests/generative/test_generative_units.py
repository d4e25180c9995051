"""The generative layer's pure parts: failure mapping, grouping, settings and budget, the
description bound to a target, XML and JSONP decoding, curl and token registration."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from conformance.client import TokenLedger, register_tokens
from conformance.evidence import Observation, ObservedRequest, ObservedResponse, Redactor
from conformance.findings import Outcome, judge
from conformance.generative.findings import FailureBook, requirement_for
from conformance.generative.observe import basic_credentials, curl_command
from conformance.generative.schema import (
    DescriptionError,
    KnownValues,
    SchemaSettings,
    bind_hosts,
    bind_site,
    config_dict,
    decode_jsonp,
    decode_xml,
    load_description,
    operation_ids,
)
from conformance.generative.settings import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_OFF_LOOPBACK_BUDGET,
    GenerativeSettings,
    RequestBudget,
    SettingsError,
    derive_seed,
    resolve_settings,
)
from conformance.generative.workflows import InvariantLog
from conformance.target import Target

TARGET = Target(store_url="http://store.test:8001", api_url="http://api.test:8002",
                site_id="site-1", api_key="pk-public-key", client_id="client-one",
                client_secret="se${cret}", session_ttl=3600)


# --- every failure maps to a requirement -------------------------------------------------


@pytest.mark.parametrize(("code", "requirement"), [
    ("ST101", "HY-NO-SERVER-ERROR"), ("ST102", "HY-NO-SERVER-ERROR"),
    ("ST103", "SC-RESPONSE-SCHEMA"), ("ST105", "SC-RESPONSE-SCHEMA"),
    ("ST107", "SC-RESPONSE-SCHEMA"), ("ST108", "SC-RESPONSE-SCHEMA"),
    ("ST109", "SC-RESPONSE-SCHEMA"), ("ST110", "SC-RESPONSE-SCHEMA"),
    ("ST201", "SC-NEGATIVE-REJECTED"), ("ST203", "SC-NEGATIVE-REJECTED"),
    ("ST204", "SC-NEGATIVE-REJECTED"), ("ST301", "TI-REVOKE"),
    ("ST401", "EX-UNKNOWN-CLIENT"), ("ST901", "SC-RESPONSE-SCHEMA"),
    ("ST999", "SC-RESPONSE-SCHEMA"),
])
def test_each_failure_code_has_a_requirement(code: str, requirement: str) -> None:
    assert requirement_for(code, 200) == requirement


def test_whatever_fails_on_a_5xx_is_one_server_error() -> None:
    assert requirement_for("ST103", 500) == "HY-NO-SERVER-ERROR"
    assert requirement_for("ST108", 503) == "HY-NO-SERVER-ERROR"


def test_ignored_authentication_with_the_targets_client_is_a_bad_secret() -> None:
    assert requirement_for("ST401", 200, presented_client="client-one",
                           target_client="client-one") == "EX-BAD-SECRET"
    assert requirement_for("ST401", 200, presented_client="made-up",
                           target_client="client-one") == "EX-UNKNOWN-CLIENT"
    assert requirement_for("ST401", 200, presented_client=None,
                           target_client="client-one") == "EX-UNKNOWN-CLIENT"


def _failure(book: FailureBook, requirement: str, code: str = "ST108") -> None:
    book.add(requirement, code=code, title="Response violates schema", operation="GET /x",
             message="1033 is not of type 'string'", reproduction="curl http://x", evidence=None)


def test_failures_of_one_kind_are_one_finding_with_a_count() -> None:
    book = FailureBook("generated requests to getX")
    book.sent("SC-RESPONSE-SCHEMA", "HY-NO-SERVER-ERROR")
    for _ in range(3):
        _failure(book, "SC-RESPONSE-SCHEMA")

    findings = book.findings(["SC-RESPONSE-SCHEMA", "HY-NO-SERVER-ERROR"])

    failed = [f for f in findings if f.outcome is Outcome.FAILED]
    assert len(failed) == 1
    assert "3 times" in failed[0].observed and "curl http://x" in failed[0].observed
    passed = [f for f in findings if f.outcome is Outcome.PASSED]
    assert [f.requirement for f in passed] == ["HY-NO-SERVER-ERROR"]


def test_a_should_failure_is_a_warning() -> None:
    book = FailureBook("t")
    _failure(book, "SC-NEGATIVE-REJECTED", code="ST201")

    (finding,) = book.findings(["SC-NEGATIVE-REJECTED"])

    assert finding.outcome is Outcome.WARNING


def test_a_spent_budget_leaves_a_skip_note_and_nothing_unexercised_passes() -> None:
    findings = FailureBook("t").findings(["SC-RESPONSE-SCHEMA"], "the budget was spent")

    assert [(f.outcome, f.observed) for f in findings] == [
        (Outcome.SKIPPED, "t: the budget was spent")]


def test_a_skip_note_goes_only_on_what_the_test_judged() -> None:
    book = FailureBook("t")
    book.sent("HY-NO-SERVER-ERROR")

    findings = book.findings(["HY-NO-SERVER-ERROR", "EX-BAD-SECRET"], "spent")

    assert {(f.requirement, f.outcome) for f in findings} == {
        ("HY-NO-SERVER-ERROR", Outcome.SKIPPED), ("HY-NO-SERVER-ERROR", Outcome.PASSED)}


# --- settings and the request budget -----------------------------------------------------


def test_loopback_is_unlimited_and_other_targets_get_the_default_budget() -> None:
    assert resolve_settings(seed=1, loopback=True, environ={}).request_budget is None
    off = resolve_settings(seed=1, loopback=False, environ={})
    assert off.request_budget == DEFAULT_OFF_LOOPBACK_BUDGET
    assert off.max_examples == DEFAULT_MAX_EXAMPLES


def test_the_option_wins_over_the_environment() -> None:
    environ = {"DR_REQUEST_BUDGET": "50", "DR_MAX_EXAMPLES": "7"}
    from_env = resolve_settings(seed=1, loopback=True, environ=environ)
    assert (from_env.request_budget, from_env.max_examples) == (50, 7)
    chosen = resolve_settings(seed=1, loopback=True, budget_option="90", examples_option="3",
                              environ=environ)
    assert (chosen.request_budget, chosen.max_examples) == (90, 3)


@pytest.mark.parametrize(("budget", "examples"), [("-1", None), ("lots", None), (None, "0")])
def test_unusable_values_are_refused(budget: str | None, examples: str | None) -> None:
    with pytest.raises(SettingsError):
        resolve_settings(seed=1, loopback=True, budget_option=budget,
                         examples_option=examples, environ={})


def test_the_budget_is_shared_evenly_and_bounds_the_examples() -> None:
    settings = GenerativeSettings(seed=1, max_examples=25, request_budget=400)
    assert settings.allowance(8) == 50
    assert settings.examples_within(50) == 12
    assert settings.examples_within(2) == 1
    assert GenerativeSettings(seed=1, max_examples=25, request_budget=None).allowance(8) is None


def test_a_budget_refuses_what_it_cannot_pay_and_says_so() -> None:
    budget = RequestBudget(3)
    assert budget.spend() and budget.spend(2)
    assert not budget.spend()
    assert budget.exhausted and budget.spent == 3
    assert "share of the request budget (3 of --request-budget" in budget.describe()
    assert RequestBudget(None).spend(10_000)


def test_seeds_differ_per_test_and_replay_per_run() -> None:
    assert derive_seed(5, "a") == derive_seed(5, "a")
    assert len({derive_seed(5, "a"), derive_seed(5, "b"), derive_seed(6, "a")}) == 3


# --- the description bound to the target -------------------------------------------------


def test_each_path_is_sent_to_its_own_host() -> None:
    bound = bind_hosts(load_description(), TARGET)

    paths = bound["paths"]
    assert paths["/store/{siteId}/SessionToken"]["servers"] == [{"url": TARGET.store_url}]
    for path in ("/oauth20/token", "/v1/shoppers/token", "/oauth20/access-tokens"):
        assert paths[path]["servers"] == [{"url": TARGET.api_url}]


def test_an_unknown_host_in_the_description_is_an_error() -> None:
    description = {"paths": {"/x": {"servers": [{"url": "https://elsewhere.example"}]}}}
    with pytest.raises(DescriptionError, match="elsewhere"):
        bind_hosts(description, TARGET)


def test_binding_the_site_removes_its_path_parameter() -> None:
    bound = bind_site(load_description(), "my site")

    item = bound["paths"]["/store/my%20site/SessionToken"]
    assert "/store/{siteId}/SessionToken" not in bound["paths"]
    references = [p.get("$ref", "") for p in item["get"]["parameters"]]
    assert "#/components/parameters/SiteId" not in references
    assert "#/components/parameters/StoreApiKey" in references


def test_every_operation_is_listed() -> None:
    assert operation_ids() == ["getSessionToken", "createToken", "getShopperToken",
                               "getTokenInformation", "revokeToken"]


def test_configuration_carries_the_targets_credentials_and_seed() -> None:
    known = KnownValues(session_tokens=("S1",), access_tokens=("A1",), refresh_tokens=())
    config = config_dict(TARGET, SchemaSettings(seed=9, max_examples=4, steps=6, known=known))

    assert config["seed"] == 9
    assert config["generation"]["mode"] == "all"
    assert config["generation"]["max-examples"] == 4
    (operation,) = config["operations"]
    assert operation["include-operation-id"] == "createToken"
    # schemathesis would expand ${cret}; the escape keeps the secret as given.
    assert operation["auth"]["basic"] == {"username": "client-one", "password": "se$${cret}"}
    assert config["dictionaries"]["session-tokens"] == {"values": ["S1"]}
    assert "body.refresh_token" not in config["parameters"]
    assert config["parameters"]["query.token"]["dictionary"] == "access-tokens"
    assert config["checks"]["positive_data_acceptance"] == {"enabled": False}


def test_the_configuration_is_valid_for_schemathesis() -> None:
    from schemathesis.config import SchemathesisConfig

    SchemathesisConfig.from_dict(config_dict(TARGET, SchemaSettings(seed=1, max_examples=2,
                                                                     steps=2)))


# --- XML and JSONP as the description states them ----------------------------------------


def test_xml_token_documents_decode_to_their_members() -> None:
    body = ("<?xml version='1.0'?><token><access_token>a</access_token>"
            "<expires_in>60</expires_in></token>")
    assert decode_xml(body) == {"access_token": "a", "expires_in": "60"}
    assert decode_xml("<session_token>ABC</session_token>") == {"session_token": "ABC"}


def test_jsonp_decodes_to_the_callbacks_argument() -> None:
    assert decode_jsonp('cb({"session_token":"X"});') == {"session_token": "X"}


@pytest.mark.parametrize("decode", [decode_xml, decode_jsonp])
def test_garbage_is_a_deserialization_error(decode: object) -> None:
    with pytest.raises(ValueError):
        decode("<html><body>oops")  # type: ignore[operator]


# --- evidence, curl, tokens ---------------------------------------------------------------


def _observation(status: int, body: str, content_type: str = "application/json") -> Observation:
    return Observation(ObservedRequest("GET", "http://api.test/x"),
                       ObservedResponse(status, (("Content-Type", content_type),), body))


def test_tokens_of_generated_answers_are_redacted_and_counted() -> None:
    redactor, ledger = Redactor(), TokenLedger()

    register_tokens(_observation(200, '{"access_token":"AAAA1111","refresh_token":"RRRR2222",'
                                      '"token_type":"bearer","expires_in":60}'), redactor, ledger)
    register_tokens(_observation(200, 'cb({"session_token":"SSSS3333"});',
                                 "application/javascript"), redactor, ledger)
    register_tokens(_observation(401, '{"access_token":"NOT-ISSUED"}'), redactor, ledger)

    assert ledger.issued["access-token"] == ["AAAA1111"]
    assert ledger.issued["refresh-token"] == ["RRRR2222"]
    assert ledger.issued["session-token"] == ["SSSS3333"]
    assert redactor.text("AAAA1111 SSSS3333") == "<access-token-1> <session-token-1>"


class _Case:
    def __init__(self, command: str) -> None:
        self.command = command

    def as_curl_command(self, headers: dict[str, str] | None = None) -> str:
        return self.command


def test_curl_shows_basic_credentials_as_placeholders() -> None:
    encoded = base64.b64encode(b"client-one:se${cret}").decode()
    case = _Case(f"curl -X POST -H 'Authorization: Basic {encoded}' -d 'grant_type=password'"
                 " 'http://api.test:8002/oauth20/token?apiKey=pk-public-key'")
    response = SimpleNamespace(request=SimpleNamespace(headers={"Authorization": "x"}))

    command = curl_command(case, response, Redactor(TARGET.secrets()))

    assert "client-one" not in command and "se${cret}" not in command
    assert "pk-public-key" not in command
    assert "-u '<client-id-1>:<client-secret-1>'" in command
    assert basic_credentials("Bearer abc") is None


# --- invariants folded per requirement ----------------------------------------------------


def test_invariants_keep_the_first_failure_with_its_workflow() -> None:
    log = InvariantLog(workflows=4)
    for _ in range(5):
        log.add(judge("TI-EXPIRES-BOUNDED", True, "at most issued", "ok"), ["a"])
    log.add(judge("TI-REVOKE", False, "401 after DELETE", "200"), ["exchange", "revoke"])
    log.add(judge("TI-REVOKE", False, "401 after DELETE", "200 again"), ["later"])

    found = {f.requirement: f for f in log.findings()}

    assert found["TI-EXPIRES-BOUNDED"].outcome is Outcome.PASSED
    assert "held in 5 check(s) over 4" in found["TI-EXPIRES-BOUNDED"].observed
    assert found["TI-REVOKE"].outcome is Outcome.FAILED
    assert found["TI-REVOKE"].observed == "200; workflow: exchange -> revoke"
