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


def _require_readable(observation: Observation, what: str) -> None:
    assert observation.response is not None
    if observation.response.status >= 500 and parse_body(observation.response) is None:
        raise TargetUnusable(f"{what} answers a server error: {describe(observation)}")
    if parse_body(observation.response) is None:
        raise TargetUnusable(
            f"{what} answers something that is not JSON, XML or JSONP: {describe(observation)}")
