"""Checks every token endpoint keeps, whatever the flow (profile hygiene).

The token-quality checks estimate, from a handful of samples, how much of a token varies
and how freely. The estimate is deliberately conservative for the MUST floor (64 bits): a
position counts only when it takes about as many values as a random one would. The SHOULD
(128 bits) counts every position that varies at all, so a sound 128-bit token is not warned
about just because a few samples happened to repeat a character.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from conformance.checks.common import body_of, describe
from conformance.evidence import Observation
from conformance.findings import Finding, judge, recorded, skipped
from conformance.formats import carries_token, is_json_type

MIN_SAMPLES = 6
MUST_BITS = 64
SHOULD_BITS = 128

_ALPHABETS = (
    ("decimal", "0123456789"),
    ("lower-case hex", "0123456789abcdef"),
    ("upper-case hex", "0123456789ABCDEF"),
    ("mixed-case hex", "0123456789abcdefABCDEF"),
    ("lower-case alphanumeric", "0123456789abcdefghijklmnopqrstuvwxyz"),
    ("upper-case alphanumeric", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    ("alphanumeric", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    ("base64url", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_="),
    ("base64", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/="),
)


def no_server_error(observations: list[Observation]) -> Finding:
    """HY-NO-SERVER-ERROR: none of these requests got a 5xx."""
    failures = [o for o in observations if o.status is not None and o.status >= 500]
    return judge(
        "HY-NO-SERVER-ERROR",
        not failures,
        f"no 5xx for {len(observations)} requests",
        "; ".join(f"{o.label or o.request.method}: {describe(o)}" for o in failures[:5])
        or f"{len(observations)} answers below 500",
        *(failures[:5] or observations[:1]),
    )


def no_store(observation: Observation) -> Finding:
    """HY-NO-STORE: an answer carrying a token has Cache-Control: no-store."""
    response = observation.response
    cache_control = (response.header("cache-control") or "") if response else ""
    directives = {part.strip().lower() for part in cache_control.split(",")}
    return judge(
        "HY-NO-STORE",
        "no-store" in directives,
        "Cache-Control: no-store on an answer carrying a token",
        f"Cache-Control {cache_control or 'missing'!r} ({observation.label})",
        observation,
    )


def carries_any_token(observation: Observation) -> bool:
    response = observation.response
    return response is not None and 200 <= response.status < 300 and carries_token(
        body_of(observation))


def error_content_type(observation: Observation) -> Finding:
    """HY-ERROR-CONTENT-TYPE: an OAuth error object is served as JSON."""
    content_type = observation.response.content_type if observation.response else ""
    return judge(
        "HY-ERROR-CONTENT-TYPE",
        is_json_type(content_type),
        "an OAuth error served with a JSON content type",
        f"content type {content_type or 'missing'!r} ({observation.label})",
        observation,
    )


def tokens_unique(kind: str, tokens: list[str]) -> Finding:
    """HY-TOKENS-UNIQUE: no token of this kind was issued twice."""
    repeated = [token for token, count in Counter(tokens).items() if count > 1]
    return judge(
        "HY-TOKENS-UNIQUE",
        not repeated,
        f"{len(tokens)} {kind}s, all different",
        f"{len(repeated)} {kind}(s) issued more than once" if repeated
        else f"{len(tokens)} different {kind}s",
    )


@dataclass(frozen=True)
class Estimate:
    samples: int
    length: int
    alphabet: str
    alphabet_size: int
    varying: int
    random_like: int
    counter_like: bool

    @property
    def bits_per_symbol(self) -> float:
        return math.log2(self.alphabet_size)

    @property
    def conservative_bits(self) -> float:
        return 0.0 if self.counter_like else self.random_like * self.bits_per_symbol

    @property
    def capacity_bits(self) -> float:
        return 0.0 if self.counter_like else self.varying * self.bits_per_symbol

    def describe(self) -> str:
        return (
            f"{self.samples} tokens of {self.length} {self.alphabet} characters; "
            f"{self.varying} positions vary, {self.random_like} freely; "
            + ("consecutive tokens differ like a counter; " if self.counter_like else "")
            + f"about {self.conservative_bits:.0f} bits (conservative), "
            f"{self.capacity_bits:.0f} bits (capacity)"
        )


def estimate(tokens: list[str]) -> Estimate | None:
    """How much of the tokens varies, and how freely; None below MIN_SAMPLES distinct ones."""
    distinct = list(dict.fromkeys(tokens))
    if len(distinct) < MIN_SAMPLES:
        return None
    # Tokens of one kind normally share a length; judge the commonest length.
    length = Counter(len(token) for token in distinct).most_common(1)[0][0]
    same = [token for token in distinct if len(token) == length]
    if len(same) < MIN_SAMPLES:
        return None

    middles = _strip_shared_ends(same)
    name, size = _alphabet(same)
    width = len(middles[0])
    expected = size * (1 - (1 - 1 / size) ** len(middles))
    varying = random_like = 0
    for position in range(width):
        values = len({middle[position] for middle in middles})
        varying += values > 1
        random_like += values >= max(2.0, expected / 2)

    return Estimate(len(same), length, name, size, varying, random_like,
                    _counter_like(middles))


def _strip_shared_ends(tokens: list[str]) -> list[str]:
    prefix = len(_common_prefix(tokens))
    suffix = len(_common_prefix([token[prefix:][::-1] for token in tokens]))
    return [token[prefix:len(token) - suffix] for token in tokens]


def _common_prefix(values: list[str]) -> str:
    first, last = min(values), max(values)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def _alphabet(tokens: list[str]) -> tuple[str, int]:
    used = set("".join(tokens))
    for name, letters in _ALPHABETS:
        if used <= set(letters):
            return name, len(letters.rstrip("="))
    return "mixed", max(len(used), 2)


def _counter_like(middles: list[str]) -> bool:
    """Consecutive tokens differ in only a few positions, as successive counter values do."""
    width = len(middles[0])
    if width == 0:
        return True
    distances = [sum(a != b for a, b in zip(x, y, strict=True))
                 for x, y in itertools.pairwise(middles)]
    return statistics.median(distances) <= max(2, width // 10)


def unpredictable(kind: str, tokens: list[str]) -> Finding:
    """HY-TOKENS-UNPREDICTABLE: no counter, and at least 64 bits vary (conservatively)."""
    return _judge_estimate(
        "HY-TOKENS-UNPREDICTABLE", kind, tokens,
        lambda found: not found.counter_like and found.conservative_bits >= MUST_BITS,
        f"{kind}s not counter-like, with at least {MUST_BITS} varying bits")


def entropy(kind: str, tokens: list[str]) -> Finding:
    """HY-TOKEN-ENTROPY: at least 128 bits vary between tokens."""
    return _judge_estimate(
        "HY-TOKEN-ENTROPY", kind, tokens,
        lambda found: found.capacity_bits >= SHOULD_BITS,
        f"{kind}s with at least {SHOULD_BITS} varying bits")


def _judge_estimate(requirement: str, kind: str, tokens: list[str],
                    met: Callable[[Estimate], bool], expected: str) -> Finding:
    found = estimate(tokens)
    if found is None:
        return skipped(requirement,
                       f"fewer than {MIN_SAMPLES} different {kind}s of one length to judge")
    return judge(requirement, met(found), expected, found.describe())


def shapes(issued: dict[str, list[str]]) -> Finding:
    """HY-TOKEN-SHAPES: the length and alphabet of each kind of token seen."""
    parts = []
    for kind, tokens in issued.items():
        if not tokens:
            continue
        lengths = sorted({len(token) for token in tokens})
        name, _ = _alphabet(tokens)
        parts.append(f"{kind}: {len(tokens)} seen, length {'/'.join(map(str, lengths))}, {name}")
    return recorded("HY-TOKEN-SHAPES", "; ".join(parts) or "no tokens seen")
