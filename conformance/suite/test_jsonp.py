"""JSONP answers of the site action, and the safety of the callback (profile jsonp)."""

from __future__ import annotations

import pytest

from conformance.checks import jsonp
from conformance.client import FlowClient
from conformance.suite.steps import Judge
from conformance.target import Target

pytestmark = pytest.mark.profile("jsonp")

SAFE_CALLBACK = "drConformance.sessionTokenLoaded_1"

# Each would run script of the caller's choosing if echoed into the answer as it is.
UNSAFE_CALLBACKS = (
    "alert(document.domain)//",
    "x</script><script>alert(1)</script>",
    "handler;fetch('//evil.example')",
    "a=1,b",
    "function(){}",
    "cb\u2028alert(1)",
    "cb['x']",
)


@pytest.mark.requirement("JSONP-WRAPS-JSON", "JSONP-CONTENT-TYPE")
def test_jsonp_wraps_the_session_token(client: FlowClient, judge: Judge) -> None:
    observation = client.session_token(callback=SAFE_CALLBACK, label="JSONP session token")
    judge(jsonp.wraps_json(observation, SAFE_CALLBACK))
    judge(jsonp.javascript_content_type(observation))


@pytest.mark.requirement("JSONP-WRAPS-JSON", "JSONP-CONTENT-TYPE")
def test_jsonp_wraps_the_one_call_token(client: FlowClient, target: Target,
                                        judge: Judge) -> None:
    if not target.api_key:
        pytest.skip("no public API key given (--api-key / DR_API_KEY)")
    observation = client.session_token(api_key=target.api_key, callback=SAFE_CALLBACK,
                                       label="JSONP one-call token")
    judge(jsonp.wraps_json(observation, SAFE_CALLBACK))
    judge(jsonp.javascript_content_type(observation))


@pytest.mark.requirement("JSONP-CALLBACK-SAFE")
@pytest.mark.parametrize("callback", UNSAFE_CALLBACKS)
def test_unsafe_callback_is_refused_or_neutralised(client: FlowClient, judge: Judge,
                                                   callback: str) -> None:
    observation = client.session_token(callback=callback, label="JSONP with an unsafe callback")
    judge(jsonp.callback_safe(observation, callback))
