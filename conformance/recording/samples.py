"""Cassettes built from the answers the vendor published, for the tolerated variants.

The vendor's pages and its own WordPress plugin's test fixtures show answers that differ
from what a strict reading of the contract would expect: an ``expires_in`` given as a
numeric string, a token object inside a ``token`` wrapper, numeric ``sessionId`` and
``userId`` and ``"authenticated": "false"`` as a string in token information. The suite
tolerates each of these (a warning at most). These cassettes hold those answers, each
interaction with the source it was taken from and the requirements it bears on, so that
replaying them through the checks (``replay.judge_samples``) proves the tolerance.

Only answer bodies are published, not headers; every answer here carries just its
Content-Type, so the no-store check warns, as it would against a target that sends none.
Values the sources truncate or leave out (access and refresh tokens, the API key, client
credentials, the token-information IP address and session tag) are stand-ins of the
documented shape, generated below from fixed labels; every other value is as published.

Rebuild the folder with ``python -m conformance.recording.samples [DIR]``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from conformance.catalogue import load_catalogue
from conformance.recording.cassettes import CASSETTE_SUFFIX, Provenance

SAMPLES_DIR = Path("cassettes") / "vendor-samples"
STORE_URL = "https://store.digitalriver.com"
API_URL = "https://api.digitalriver.com"
SITE_ID = "docsite"
# The session-aware tokens page: "the token for the site expires in 86397 seconds (24 hours)".
SITE_SESSION_TTL = 86400
BUILT_ON = "2026-12-03T00:00:00+00:00"

SESSION_AWARE_PAGE = ("VENDOR-SAT, docs.digitalriver.com/commerce-api/shopper-apis/oauth/"
                      "session-aware-access-tokens")
BEST_PRACTICES_PAGE = ("VENDOR-BEST-PRACTICES, docs.digitalriver.com/commerce-api/"
                       "getting-started/best-practices")
WP_PLUGIN = ("DR-WP-PLUGIN, DigitalRiver/digital-river-global-commerce "
             "tests/Unit-Test/Mock/")

TOKEN_CHECKS = ("EX-TOKEN-FIELDS", "EX-TOKEN-TYPE-BEARER", "EX-EXPIRES-IN-INTEGER",
                "EX-TTL-MATCHES-SITE", "HY-NO-STORE")


def stand_in_hex(label: str, length: int) -> str:
    """A fixed lower-case hex string of the given length, derived from a label."""
    out = ""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"{label}/{counter}".encode()).hexdigest()
        counter += 1
    return out[:length]


def token_pair(label: str) -> tuple[str, str]:
    """Access and refresh token stand-ins of the vendor's shape: 160 and 176 lower-case hex
    characters, the pair sharing its first 64 (as every published pair does)."""
    head = stand_in_hex(f"{label} pair head", 64)
    return (head + stand_in_hex(f"{label} access token", 96),
            head + stand_in_hex(f"{label} refresh token", 112))


ONE_CALL_TOKENS = token_pair("stand-in one-call")
EXCHANGED_TOKENS = token_pair("stand-in exchange")
API_KEY = stand_in_hex("stand-in public API key", 32)
CLIENT_ID = stand_in_hex("stand-in client ID", 32)
CLIENT_SECRET = stand_in_hex("stand-in client secret", 32)
BEST_PRACTICES_SESSION_TOKEN = "1A9C61A6B8B54BD7087A5AD8986A17FA"
WP_PLUGIN_SESSION_TOKEN = "48E043145978AADB68FCBBDEB536E06C"


@dataclass(frozen=True)
class Sample:
    name: str
    source: str
    method: str
    url: str
    body: Any
    requirements: tuple[str, ...]
    form: dict[str, str] = field(default_factory=dict)
    basic_auth: bool = False
    status: int = 200
    notes: str = ""


def _wrapped_token(pair: tuple[str, str]) -> dict[str, Any]:
    return {"token": {"access_token": pair[0], "token_type": "bearer",
                      "expires_in": "86397", "refresh_token": pair[1]}}


_TOKEN_QUERY = {"token": EXCHANGED_TOKENS[0], "format": "json"}


def _session_token_url(**query: str) -> str:
    return f"{STORE_URL}/store/{SITE_ID}/SessionToken?{urlencode(query)}"


CASSETTES: dict[str, tuple[Sample, ...]] = {
    "best-practices": (
        Sample("session token (best practices)", BEST_PRACTICES_PAGE, "GET",
               _session_token_url(format="json"),
               {"session_token": BEST_PRACTICES_SESSION_TOKEN}, ("ST-SESSION-TOKEN",),
               notes="the published session token, as published"),
    ),
    "session-aware-tokens": (
        Sample("one-call token with a public API key", SESSION_AWARE_PAGE, "GET",
               _session_token_url(apiKey=API_KEY, format="json"), _wrapped_token(ONE_CALL_TOKENS),
               ("ST-ONE-CALL-TOKEN", *TOKEN_CHECKS),
               notes="token wrapper and expires_in \"86397\" as published; tokens and the "
                     "API key are stand-ins (the page truncates them)"),
        Sample("exchange of the session token", SESSION_AWARE_PAGE, "POST",
               f"{API_URL}/oauth20/token", _wrapped_token(EXCHANGED_TOKENS),
               ("EX-TOKEN-ISSUED", *TOKEN_CHECKS),
               form={"grant_type": "password",
                     "dr_session_token": BEST_PRACTICES_SESSION_TOKEN},
               basic_auth=True,
               notes="step 2 of the two-call flow; wrapper and string expires_in as "
                     "published; tokens and client credentials are stand-ins"),
    ),
    "wordpress-plugin": (
        Sample("session token (plugin fixture)", WP_PLUGIN + "session_token-response-body.txt",
               "GET", _session_token_url(format="json"),
               {"session_token": WP_PLUGIN_SESSION_TOKEN}, ("ST-SESSION-TOKEN",),
               notes="the fixture's session token, as published"),
        Sample("token information (plugin fixture)",
               WP_PLUGIN + "access_token_info-response-body.txt", "GET",
               f"{API_URL}/oauth20/access-tokens?{urlencode(_TOKEN_QUERY)}",
               {"sessionId": 63293199710, "userId": 495174262412,
                "externalReferenceId": None, "authenticated": "false", "locale": "en_US",
                "currency": "USD", "cartId": None, "clientIpAddress": "192.0.2.10",
                "domain": "drh-api-ot10.digitalriverws.net", "expiresIn": 84156,
                "themeId": 38742700, "sessionTag": stand_in_hex("stand-in session tag", 32),
                "createdOn": "2019-05-20T09:05:19.000Z",
                "lastAccessed": "2019-05-20T09:05:19.000Z"},
               ("TI-FIELDS", "TI-ANONYMOUS"),
               notes="numeric sessionId, userId, themeId and the string authenticated as in "
                     "the fixture; clientIpAddress (a documentation address), sessionTag "
                     "and the token asked about are stand-ins"),
    ),
}


def provenance() -> Provenance:
    return Provenance(
        target_name="vendor-samples", store_url=STORE_URL, api_url=API_URL, site_id=SITE_ID,
        session_ttl=SITE_SESSION_TTL, session_ttl_tolerance=60, seed=0, wait_seconds=0.0,
        recorded_at=BUILT_ON, catalogue_digest=load_catalogue().digest, embedded=False,
        api_key=API_KEY, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        source="built from the vendor's published samples by conformance.recording.samples",
        notes=("Answer bodies are the vendor's published samples; each interaction names its "
               "source in the cassette's metadata.",
               "Credentials and truncated tokens are stand-ins of the documented shape, "
               "never real values."))


def _interaction(sample: Sample) -> tuple[Any, dict[str, Any]]:
    import httpx
    from vcr.request import Request as VcrRequest

    auth = httpx.BasicAuth(CLIENT_ID, CLIENT_SECRET) if sample.basic_auth else None
    request = httpx.Request(sample.method, sample.url, data=sample.form or None,
                            headers={"Accept": "application/json"})
    if auth is not None:
        request = next(auth.sync_auth_flow(request))
    headers = {name: value for name, value in request.headers.items()
               if name.lower() not in ("host", "content-length")}
    recorded = VcrRequest(sample.method, str(request.url), request.content, headers)
    body = json.dumps(sample.body).encode("utf-8")
    response = {"status": {"code": sample.status, "message": "OK"},
                "headers": {"content-type": ["application/json"]},
                "body": {"string": body}}
    return recorded, response


def cassette_text(samples: tuple[Sample, ...]) -> str:
    from vcr.serialize import serialize
    from vcr.serializers import yamlserializer

    pairs = [_interaction(sample) for sample in samples]
    metadata = {"samples": [{"name": s.name, "source": s.source,
                             "requirements": list(s.requirements), "notes": s.notes}
                            for s in samples]}
    text: str = serialize({"requests": [p[0] for p in pairs], "responses": [p[1] for p in pairs],
                           "metadata": metadata}, yamlserializer)
    return text


def build(directory: Path) -> list[Path]:
    """Write the sample cassettes and their provenance; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [provenance().write(directory)]
    for name, samples in CASSETTES.items():
        path = directory / f"{name}{CASSETTE_SUFFIX}"
        path.write_text(cassette_text(samples), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES_DIR):
        print(written_path)
