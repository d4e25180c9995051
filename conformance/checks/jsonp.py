"""Checks of JSONP answers of the site action (profile jsonp).

JSONP answers run as scripts in the shopper's browser on any page that includes them, so
beyond the shape, the callback name must never let a request inject script (cross-site
script inclusion).
"""

from __future__ import annotations

from conformance.checks.common import describe, is_success
from conformance.evidence import Observation
from conformance.findings import Finding, judge
from conformance.formats import (
    JAVASCRIPT_TYPES,
    SAFE_CALLBACK,
    carries_token,
    is_json_type,
    parse_jsonp,
)


def wraps_json(observation: Observation, callback: str) -> Finding:
    """JSONP-WRAPS-JSON: one call of the callback with the JSON answer as argument."""
    response = observation.response
    jsonp = parse_jsonp(response.body) if response is not None else None
    # The argument's members are the site action's business (ST-* requirements); here it
    # only has to be the JSON object the site action answers.
    payload = jsonp.payload if jsonp else None
    return judge(
        "JSONP-WRAPS-JSON",
        is_success(observation) and jsonp is not None and jsonp.callback == callback
        and isinstance(payload, dict),
        f"2xx body {callback}(<the JSON answer>)",
        describe(observation),
        observation,
    )


def javascript_content_type(observation: Observation) -> Finding:
    """JSONP-CONTENT-TYPE: a JavaScript media type."""
    content_type = observation.response.content_type if observation.response else ""
    return judge(
        "JSONP-CONTENT-TYPE",
        content_type in JAVASCRIPT_TYPES,
        "a JavaScript content type (application/javascript or text/javascript)",
        f"content type {content_type or 'missing'!r}",
        observation,
    )


def callback_safe(observation: Observation, callback: str) -> Finding:
    """JSONP-CALLBACK-SAFE: an unsafe callback is refused or neutralised.

    Neutralised means: the body is plain JSON served as JSON, or one call of a safe name
    with a JSON argument, and the unsafe text does not appear in it as script.
    """
    response = observation.response
    assert not SAFE_CALLBACK.match(callback), "the probe callback must be unsafe"
    if response is None:
        safe, seen = False, describe(observation)
    elif 400 <= response.status < 500:
        safe, seen = not carries_token(response.json_or_none()), describe(observation)
    elif is_success(observation):
        safe, seen = _neutralised(observation, callback), describe(observation)
    else:
        safe, seen = False, describe(observation)
    return judge(
        "JSONP-CALLBACK-SAFE",
        safe,
        f"callback {callback!r} refused (4xx) or neutralised (no script but a call of a "
        "safe name)",
        seen,
        observation,
    )


def _neutralised(observation: Observation, callback: str) -> bool:
    response = observation.response
    assert response is not None
    if is_json_type(response.content_type) and response.json_or_none() is not None:
        return True
    jsonp = parse_jsonp(response.body)
    if jsonp is None or not SAFE_CALLBACK.match(jsonp.callback):
        return False
    return callback not in response.body
