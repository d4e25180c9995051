"""Pseudonyms on their own: linkage, shape, distinctness, Basic credentials, no survivors."""

from __future__ import annotations

import base64
import json
import string

import pytest

from conformance.checks import hygiene
from conformance.recording.cassettes import RecordingScrubber
from conformance.recording.scrub import (
    Pseudonyms,
    ScrubError,
    basic_credentials,
    same_shape,
    scrub_authorization,
)

UPPER_HEX = "1A9C61A6B8B54BD7087A5AD8986A17FA"
LOWER_HEX = "e1f70d4687149db5a56758a0e5c69dfbd488ba582f51328d6d7c502e3c7f79ca"


def test_same_value_same_pseudonym_and_distinct_values_distinct() -> None:
    pseudonyms = Pseudonyms()
    first = pseudonyms.learn(UPPER_HEX, "session-token")
    assert pseudonyms.learn(UPPER_HEX, "session-token") == first
    assert pseudonyms.learn(UPPER_HEX, "access-token") == first

    others = {pseudonyms.learn(f"{n:032X}", "session-token") for n in range(500)}
    assert len(others) == 500
    assert first not in others


def test_pseudonym_keeps_length_and_alphabet_class_and_differs() -> None:
    pseudonyms = Pseudonyms()
    for value, kind in ((UPPER_HEX, "session-token"), (LOWER_HEX, "access-token"),
                        ("pk-Reference_Public.Key+42/x=", "api-key")):
        fake = pseudonyms.learn(value, kind)
        assert fake != value
        assert len(fake) == len(value)
        assert same_shape(value, fake)
    assert set(pseudonyms.learn("F" * 32, "session-token")) <= set("0123456789ABCDEF")
    assert pseudonyms.learn(UPPER_HEX, "session-token").isupper()


def test_pseudonyms_look_random_even_for_a_dull_value() -> None:
    fake = Pseudonyms().learn("a" * 64, "client-secret")
    assert set(fake) <= set("abcdef")
    assert len(set(fake)) >= 4


def test_another_recording_gives_other_pseudonyms() -> None:
    assert Pseudonyms().learn(LOWER_HEX, "access-token") != \
        Pseudonyms().learn(LOWER_HEX, "access-token")


def test_shared_prefix_and_entropy_estimate_survive() -> None:
    """The hygiene checks judge the pseudonyms as they judged the real tokens."""
    pseudonyms = Pseudonyms()
    suffix = "9d83a44cd0a887bfca027dab38ac0a65"
    real = [f"{n:08x}{'0f' * 12}{suffix}" for n in (17, 4242, 99991, 123456, 777777, 31337)]
    fake = [pseudonyms.learn(value, "access-token") for value in real]
    assert len({value[-32:] for value in fake}) == 1
    assert hygiene.estimate(fake) == hygiene.estimate(real)

    counter = [f"tok{n:06d}" for n in range(10)]
    fake_counter = [pseudonyms.learn(value, "session-token") for value in counter]
    assert hygiene.unpredictable("session token", fake_counter).outcome.value == "FAILED"


def test_text_replaces_every_spelling_in_one_pass() -> None:
    pseudonyms = Pseudonyms()
    secret = "s3cr3t/with+symbols="
    fake = pseudonyms.learn(secret, "client-secret")
    token = pseudonyms.learn(LOWER_HEX, "access-token")
    text = (f"token={LOWER_HEX}&secret=s3cr3t%2Fwith%2Bsymbols%3D "
            f"{json.dumps({'s': secret})[7:-2]} {secret}")
    scrubbed = pseudonyms.text(text)
    assert LOWER_HEX not in scrubbed and secret not in scrubbed
    assert "s3cr3t%2Fwith%2Bsymbols%3D" not in scrubbed
    assert token in scrubbed and fake in scrubbed


def test_a_value_containing_another_is_replaced_whole() -> None:
    pseudonyms = Pseudonyms()
    short = pseudonyms.learn("abcd1234", "client-id")
    long = pseudonyms.learn("abcd1234-and-more", "client-secret")
    assert pseudonyms.text("abcd1234-and-more abcd1234") == f"{long} {short}"


def test_basic_credentials_are_replaced_inside_and_re_encoded() -> None:
    pseudonyms = Pseudonyms()
    client_id = pseudonyms.learn("CANARY-client-id", "client-id")
    secret = pseudonyms.learn("CANARY-client-secret", "client-secret")
    header = "Basic " + base64.b64encode(b"CANARY-client-id:CANARY-client-secret").decode()

    scrubbed = scrub_authorization(header, pseudonyms)
    assert basic_credentials(scrubbed) == (client_id, secret)
    assert len(scrubbed) == len(header)
    assert "CANARY" not in base64.b64decode(scrubbed.split()[1]).decode()

    wrong = "Basic " + base64.b64encode(b"CANARY-client-id:CANARY-client-secret-wrong-1f").decode()
    assert basic_credentials(scrub_authorization(wrong, pseudonyms)) == \
        (client_id, f"{secret}-wrong-1f")


def test_bearer_token_is_replaced_even_when_never_seen_issued() -> None:
    pseudonyms = Pseudonyms()
    scrubbed = scrub_authorization(f"Bearer {LOWER_HEX}", pseudonyms)
    assert scrubbed == f"Bearer {pseudonyms.pseudonym(LOWER_HEX)}"
    assert LOWER_HEX not in scrubbed


def test_a_value_with_nothing_to_disguise_is_refused() -> None:
    with pytest.raises(ScrubError):
        Pseudonyms().learn("-----", "client-secret")


class FakeRequest:
    def __init__(self, uri: str, body: bytes, headers: dict[str, str]) -> None:
        self.uri, self.body, self.headers = uri, body, headers


def test_recording_hooks_learn_from_answers_and_scrub_later_requests() -> None:
    """A token first appears in an answer; the later request presenting it gets the same
    pseudonym, and neither the answer nor the request keeps the real value."""
    pseudonyms = Pseudonyms()
    scrubber = RecordingScrubber(pseudonyms, lambda: {"client-secret": "CANARY-secret",
                                                      "api-key": "CANARY-key"})
    answer = {"status": {"code": 200, "message": "OK"},
              "headers": {"content-type": ["application/json"],
                          "set-cookie": [f"JSESSIONID={'Z' * 24}; Path=/"]},
              "body": {"string": json.dumps({"token": {"access_token": LOWER_HEX,
                                                       "refresh_token": UPPER_HEX,
                                                       "token_type": "bearer"}}).encode()}}
    recorded = scrubber.response(answer)
    body = recorded["body"]["string"].decode()
    assert LOWER_HEX not in body and UPPER_HEX not in body and "bearer" in body
    assert "Z" * 24 not in recorded["headers"]["set-cookie"][0]
    assert LOWER_HEX in answer["body"]["string"].decode(), "the live answer is left alone"

    request = FakeRequest(f"http://t/oauth20/access-tokens?token={LOWER_HEX}&apiKey=CANARY-key",
                          f"refresh_token={UPPER_HEX}".encode(),
                          {"Authorization": f"Bearer {LOWER_HEX}"})
    clean = scrubber.request(request)  # type: ignore[arg-type]
    access, refresh = pseudonyms.pseudonym(LOWER_HEX), pseudonyms.pseudonym(UPPER_HEX)
    assert clean.uri.endswith(f"token={access}&apiKey={pseudonyms.pseudonym('CANARY-key')}")
    assert clean.body == f"refresh_token={refresh}".encode()
    assert clean.headers["Authorization"] == f"Bearer {access}"
    assert access is not None and access in body and refresh is not None and refresh in body
    assert request.uri.endswith("apiKey=CANARY-key"), "the live request is left alone"


def test_every_character_class_keeps_its_class() -> None:
    pseudonyms = Pseudonyms()
    alphabet = string.digits + string.ascii_letters + "-_.~+/="
    fake = pseudonyms.learn(alphabet * 3, "token")
    assert same_shape(alphabet * 3, fake)
