"""Named faults of the reference implementation.

Each fault is one deliberate deviation from the contract that breaks exactly one
requirement. The project's tests start the reference with each fault in turn and prove that
the suite reports the requirement the fault names, which is how the suite shows that every
check can fail. ``layer`` says which part of the suite is expected to catch the fault:
``scenario`` (the hand-written conformance tests), ``generative`` (schemathesis and the
hypothesis state machine only).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    breaks: str
    description: str
    layer: str = "scenario"


FAULTS: tuple[Fault, ...] = (
    # session-token
    Fault("session-token-renamed", "ST-SESSION-TOKEN",
          "the site action answers sessionToken instead of session_token"),
    Fault("api-key-ignored", "ST-ONE-CALL-TOKEN",
          "the site action ignores apiKey and answers a session token only"),
    Fault("default-format-text", "ST-DEFAULT-FORMAT",
          "without format the site action answers plain text"),
    Fault("any-api-key", "ST-INVALID-API-KEY",
          "the site action accepts any apiKey as a public key"),
    Fault("any-site", "ST-UNKNOWN-SITE",
          "the site action answers for any site ID"),
    # jsonp
    Fault("jsonp-unwrapped", "JSONP-WRAPS-JSON",
          "a JSONP request gets the bare JSON, served as JavaScript"),
    Fault("jsonp-as-json", "JSONP-CONTENT-TYPE",
          "a JSONP answer is served as application/json"),
    Fault("callback-reflected", "JSONP-CALLBACK-SAFE",
          "the callback is echoed into the script without validation"),
    # exchange
    Fault("form-body-ignored", "EX-TOKEN-ISSUED",
          "the token endpoint reads its parameters from the query string only"),
    Fault("no-refresh-token", "EX-TOKEN-FIELDS",
          "token objects lack refresh_token"),
    Fault("token-type-mac", "EX-TOKEN-TYPE-BEARER",
          "token_type is mac"),
    Fault("expires-in-string", "EX-EXPIRES-IN-INTEGER",
          "expires_in is a numeric string (tolerated, a warning)"),
    Fault("same-session", "EX-NEW-SESSION",
          "exchanging a session token again rebinds the session of the first exchange"),
    Fault("ttl-fixed-hour", "EX-TTL-MATCHES-SITE",
          "expires_in is always 3600 whatever the site's session timeout"),
    Fault("secret-ignored", "EX-BAD-SECRET",
          "a known client is accepted whatever secret it sends"),
    Fault("any-client", "EX-UNKNOWN-CLIENT",
          "an unknown client ID is treated as the first configured client"),
    Fault("forged-session-token-accepted", "EX-FORGED-SESSION-TOKEN",
          "any session token of the right shape is exchanged for a token"),
    Fault("unknown-grant-as-password", "EX-UNSUPPORTED-GRANT",
          "an unsupported grant_type is handled as password"),
    Fault("missing-grant-as-password", "EX-MISSING-GRANT",
          "a missing grant_type is handled as password"),
    Fault("error-without-error-member", "EX-ERROR-OBJECT",
          "token endpoint refusals carry {\"message\": ...} instead of an OAuth error"),
    # shopper-token
    Fault("shopper-token-missing", "SH-TOKEN-ISSUED",
          "GET /v1/shoppers/token answers 404"),
    Fault("shopper-token-same-session", "SH-NEW-SESSION",
          "the shopper token route reuses one session for every session token"),
    Fault("shopper-any-api-key", "SH-INVALID-API-KEY",
          "the shopper token route accepts any apiKey"),
    # token-information
    Fault("info-no-session-id", "TI-FIELDS",
          "token information omits sessionId"),
    Fault("bearer-ignored", "TI-BEARER",
          "token information ignores an Authorization bearer header (a warning)"),
    Fault("anonymous-authenticated", "TI-ANONYMOUS",
          "token information reports anonymous tokens as authenticated"),
    Fault("info-expires-inflated", "TI-EXPIRES-BOUNDED",
          "token information reports 120 seconds more than the token was issued with"),
    Fault("info-expires-frozen", "TI-EXPIRES-FALLS",
          "token information reports the issued lifetime however much time has passed"),
    Fault("info-unknown-token-ok", "TI-UNKNOWN-TOKEN",
          "token information answers 200 with an empty session for unknown tokens"),
    Fault("revoke-noop", "TI-REVOKE",
          "DELETE answers 200 but the token stays valid"),
    Fault("revoke-only-newest", "TI-REVOKE",
          "DELETE revokes a token only when it is the newest one issued", layer="generative"),
    # refresh
    Fault("refresh-refused", "RF-TOKEN-ISSUED",
          "a valid refresh token is refused with 400 invalid_grant"),
    Fault("any-refresh-token", "RF-FORGED-REFRESH-TOKEN",
          "any refresh token is accepted and opens a new session"),
    # hygiene
    Fault("crash-on-control-character", "HY-NO-SERVER-ERROR",
          "a session token with a control character makes the token endpoint answer 500",
          layer="generative"),
    Fault("session-token-pool", "HY-TOKENS-UNIQUE",
          "the site action hands out session tokens from a pool of three"),
    Fault("sequential-tokens", "HY-TOKENS-UNPREDICTABLE",
          "access tokens are a fixed prefix and a counter"),
    Fault("short-tokens", "HY-TOKEN-ENTROPY",
          "tokens carry 80 random bits (a warning)"),
    Fault("no-cache-headers", "HY-NO-STORE",
          "token answers carry no Cache-Control header (a warning)"),
    Fault("error-text-plain", "HY-ERROR-CONTENT-TYPE",
          "OAuth error objects are served as text/plain (a warning)"),
    # schema
    Fault("info-locale-number", "SC-RESPONSE-SCHEMA",
          "token information reports locale as a number", layer="generative"),
)

FAULTS_BY_NAME: dict[str, Fault] = {fault.name: fault for fault in FAULTS}


class UnknownFaultError(ValueError):
    pass


def parse_faults(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    unknown = [name for name in names if name not in FAULTS_BY_NAME]
    if unknown:
        known = ", ".join(sorted(FAULTS_BY_NAME))
        raise UnknownFaultError(f"unknown fault(s) {', '.join(unknown)}; known: {known}")
    return frozenset(names)
