"""Can the target be tested at all? One look before the suite, with a one-line answer.

A target that is down, slow, answers something that is not this API, or refuses the
credentials it was given cannot be judged requirement by requirement: every check would
fail for the same reason. The preflight says that reason once, and the run exits 2.
"""

from __future__ import annotations

from conformance.checks.common import describe
from conformance.client import FlowClient
from conformance.evidence import Observation
from conformance.formats import parse_body


class TargetUnusable(RuntimeError):
    """The target cannot be tested; the message is one line for the user."""


def preflight(client: FlowClient) -> None:
    target = client.target
    site_action = client.session_token(label="preflight: site action")
    _require_answer(site_action, f"store host {target.store_url}")
    if site_action.status == 404:
        raise TargetUnusable(
            f"{target.store_url}/store/{target.site_id}/SessionToken answered 404: "
            "wrong --store-url, or the site ID is unknown")
    _require_readable(site_action, "the SessionToken site action")

    token = client.token({"grant_type": "password"}, auth=client.client_auth(),
                         label="preflight: token endpoint")
    _require_answer(token, f"API host {target.api_url}")
    if token.status in (404, 405) and parse_body(token.response) is None:  # type: ignore[arg-type]
        raise TargetUnusable(
            f"{target.api_url}/oauth20/token answered {token.status}: wrong --api-url?")
    _require_readable(token, "the OAuth token endpoint")
    body = parse_body(token.response)  # type: ignore[arg-type]
    if token.status == 401 and isinstance(body, dict) and body.get("error") == "invalid_client":
        raise TargetUnusable(
            "the token endpoint refused the configured client credentials (401 invalid_client): "
            "check --client-id and --client-secret")


def _require_answer(observation: Observation, where: str) -> None:
    if observation.response is None:
        raise TargetUnusable(f"cannot reach the {where}: {observation.error}")


# Root elements an XML answer of these endpoints can have; an HTML page parses as XML too,
# and must not pass for an answer.
_XML_ROOTS = frozenset({"session_token", "token", "errors", "error", "fault"})


def _speaks_the_api(observation: Observation) -> bool:
    assert observation.response is not None
    data = parse_body(observation.response)
    if data is None:
        return False
    if observation.response.body.lstrip().startswith("<"):
        return isinstance(data, dict) and bool(set(data) & _XML_ROOTS)
    return True


def _require_readable(observation: Observation, what: str) -> None:
    assert observation.response is not None
    if not _speaks_the_api(observation):
        problem = "a server error" if observation.response.status >= 500 else (
            "something that is not JSON, XML or JSONP of this API")
        raise TargetUnusable(f"{what} answers {problem}: {describe(observation)}")
