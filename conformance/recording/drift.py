"""Drift: how a target's answers changed shape since its cassettes were recorded.

Two recordings of one target never agree value for value (tokens, dates and session IDs
change on every call), so they are compared by shape: each answer's status, content type,
header names, body format, the JSON type of every member, and the class of the values the
contract cares about: the TTL band of ``expires_in``/``expiresIn`` against the site session
timeout, enumerated members (``token_type``, ``authenticated``, ``error``), and across the
whole recording, the length and alphabet of every kind of token.

Each difference is classified. Contract-relevant: something the suite or a vendor client
relies on went away or changed meaning (a dropped member or header, a changed JSON type,
a status of another class, another content type or body format, a TTL band, a token
alphabet or length, an enumerated value, a flow that no longer reaches a request).
Benign: something was added (a member, a header, a request) or changed within its class
(a 400 that became a 401, a cache directive other than no-store).
"""

from __future__ import annotations

import enum
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.evidence import ObservedRequest, ObservedResponse
from conformance.formats import expires_in_seconds, parse_jsonp, parse_xml
from conformance.recording.cassettes import (
    Interaction,
    Provenance,
    cassette_files,
    read_cassette,
    read_provenance,
)
from conformance.recording.scrub import member_kind

DRIFT_MARKDOWN = "drift.md"
DRIFT_JSON = "drift.json"

# Headers whose presence says nothing about the contract: transport, caching layers, clocks.
VOLATILE_HEADERS = frozenset({
    "date", "server", "content-length", "connection", "keep-alive", "transfer-encoding",
    "content-encoding", "etag", "last-modified", "age", "expires", "via", "alt-svc",
    "x-request-id", "x-correlation-id", "x-amzn-requestid", "x-amz-cf-id", "x-amz-cf-pop",
    "x-cache", "x-served-by", "x-timer", "cf-ray", "report-to", "nel", "strict-transport-security",
})
TTL_MEMBERS = frozenset({"expires_in", "expiresin"})
ENUM_MEMBERS = frozenset({"token_type", "authenticated", "error"})

ALPHABETS = (
    ("decimal", set("0123456789")),
    ("lower-case hex", set("0123456789abcdef")),
    ("upper-case hex", set("0123456789ABCDEF")),
    ("mixed-case hex", set("0123456789abcdefABCDEF")),
    ("lower-case alphanumeric", set("0123456789abcdefghijklmnopqrstuvwxyz")),
    ("upper-case alphanumeric", set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
    ("alphanumeric", set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")),
    ("base64url", set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_=")),
    ("base64", set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/=")),
)


class Relevance(enum.Enum):
    CONTRACT = "contract-relevant"
    BENIGN = "benign"


# --- the shape of one answer -----------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    status: int
    media_type: str
    headers: frozenset[str]
    cache_control: frozenset[str]
    body_format: str
    members: Mapping[str, str]
    value_classes: Mapping[str, str]


@dataclass(frozen=True)
class Ttl:
    """The site session timeout the TTL bands are drawn around (None: unknown)."""

    seconds: int | None
    tolerance: int = 60


def shape_of(response: ObservedResponse, ttl: Ttl) -> Shape:
    body_format, data = read_body(response)
    members: dict[str, str] = {}
    classes: dict[str, str] = {}
    for path, value in walk(data):
        _merge(members, path, json_type(value))
        value_class = _value_class(path, value, ttl)
        if value_class is not None:
            classes[path] = value_class
    headers = frozenset(name.lower() for name, _ in response.headers) - VOLATILE_HEADERS
    cache_control = frozenset(
        part.strip().lower() for part in (response.header("cache-control") or "").split(",")
        if part.strip())
    return Shape(response.status, response.content_type or "none", headers, cache_control,
                 body_format, members, classes)


def read_body(response: ObservedResponse) -> tuple[str, Any]:
    """The body's notation and its content (JSON, JSONP payload, XML as a dict)."""
    body = response.body
    if not body.strip():
        return "empty", None
    try:
        return "json", json.loads(body)
    except ValueError:
        pass
    jsonp = parse_jsonp(body)
    if jsonp is not None:
        return "jsonp", jsonp.payload
    if body.lstrip().startswith("<"):
        xml = parse_xml(body)
        if xml is not None:
            return "xml", xml
    return "text", None


def walk(data: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    """(path, value) for the body and every member in it; list items share a path."""
    if path:
        yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for item in data:
            yield from walk(item, f"{path}[]")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _merge(members: dict[str, str], path: str, kind: str) -> None:
    known = members.get(path)
    if known is None or kind in known.split("|"):
        members[path] = known or kind
    else:
        members[path] = "|".join(sorted({*known.split("|"), kind}))


def member_name(path: str) -> str:
    return path.rsplit(".", 1)[-1].removesuffix("[]").lower()


def _value_class(path: str, value: Any, ttl: Ttl) -> str | None:
    name = member_name(path)
    if name in TTL_MEMBERS:
        return ttl_band(value, ttl)
    if name in ENUM_MEMBERS and isinstance(value, (str, bool)):
        return str(value).lower() if name != "error" else str(value)
    return None


def ttl_band(value: Any, ttl: Ttl) -> str:
    seconds = expires_in_seconds(value)
    if seconds is None:
        return "not a number of seconds"
    if ttl.seconds is None:
        for limit, band in ((60, "up to a minute"), (3600, "up to an hour"),
                            (86400, "up to a day")):
            if seconds <= limit:
                return band
        return "over a day"
    if seconds > ttl.seconds:
        return "above the site session timeout"
    if seconds >= ttl.seconds - ttl.tolerance:
        return "at the site session timeout"
    return "below the site session timeout" if seconds > 0 else "expired"


def alphabet_name(values: Iterable[str]) -> str:
    used = set("".join(values))
    for name, letters in ALPHABETS:
        if used <= letters:
            return name
    return "other characters"


# --- differences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    where: str
    subject: str
    before: str
    after: str
    relevance: Relevance

    def describe(self) -> str:
        return f"{self.where}: {self.subject}: {self.before} -> {self.after}"


def compare_shapes(where: str, before: Shape, after: Shape) -> list[Difference]:
    found: list[Difference] = []

    def note(subject: str, old: object, new: object, relevance: Relevance) -> None:
        found.append(Difference(where, subject, str(old), str(new), relevance))

    if before.status // 100 != after.status // 100:
        note("status class", before.status, after.status, Relevance.CONTRACT)
    elif before.status != after.status:
        note("status", before.status, after.status, Relevance.BENIGN)
    if before.media_type != after.media_type:
        note("content type", before.media_type, after.media_type, Relevance.CONTRACT)
    if before.body_format != after.body_format:
        note("body format", before.body_format, after.body_format, Relevance.CONTRACT)
    for name in sorted(before.headers - after.headers):
        note(f"header {name}", "present", "dropped", Relevance.CONTRACT)
    for name in sorted(after.headers - before.headers):
        note(f"header {name}", "absent", "added", Relevance.BENIGN)
    if before.cache_control != after.cache_control and "cache-control" in after.headers:
        lost_no_store = "no-store" in before.cache_control - after.cache_control
        note("Cache-Control directives", ", ".join(sorted(before.cache_control)),
             ", ".join(sorted(after.cache_control)),
             Relevance.CONTRACT if lost_no_store else Relevance.BENIGN)
    found.extend(_member_differences(where, before, after))
    return found


def _member_differences(where: str, before: Shape, after: Shape) -> list[Difference]:
    found = []
    for path in sorted(set(before.members) | set(after.members)):
        old, new = before.members.get(path), after.members.get(path)
        if new is None:
            found.append(Difference(where, f"member {path}", f"present ({old})", "dropped",
                                    Relevance.CONTRACT))
        elif old is None:
            found.append(Difference(where, f"member {path}", "absent", f"added ({new})",
                                    Relevance.BENIGN))
        elif old != new:
            found.append(Difference(where, f"type of {path}", old, new, Relevance.CONTRACT))
    for path in sorted(set(before.value_classes) & set(after.value_classes)):
        old, new = before.value_classes[path], after.value_classes[path]
        if old != new:
            subject = (f"TTL band of {path}" if member_name(path) in TTL_MEMBERS
                       else f"value of {path}")
            found.append(Difference(where, subject, old, new, Relevance.CONTRACT))
    return found


# --- pairing interactions ------------------------------------------------------------------


def request_key(request: ObservedRequest, site_id: str) -> str:
    """What a request is, without its values: method, path, parameter names, grant type."""
    parts = urlsplit(request.url)
    path = path_template(parts.path, site_id)
    query = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    form: list[str] = []
    grant = ""
    content_type = (request.header("content-type") or "").lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(request.body, keep_blank_values=True)
        form = sorted({name for name, _ in pairs})
        grant = next((value for name, value in pairs if name == "grant_type"), "")
    key = f"{request.method} {path}"
    if query:
        key += f" ?{'&'.join(query)}"
    if form:
        key += f" form[{','.join(form)}]"
    if grant:
        key += f" grant_type={grant}"
    return key


def path_template(path: str, site_id: str) -> str:
    """The path with its site ID named, not spelled: the suite also asks for sites that do
    not exist, under names made up from the run's seed, which differ between recordings."""
    segments = path.split("/")
    for index in range(1, len(segments) - 1):
        if segments[index - 1] == "store" and segments[index]:
            segments[index] = "{siteId}" if segments[index] == site_id else "{another site}"
    return "/".join(segments)


def keyed(interactions: Iterable[Interaction], site_id: str) -> dict[str, Interaction]:
    """Interactions by request key, numbered in order where a key repeats."""
    seen: Counter[str] = Counter()
    result: dict[str, Interaction] = {}
    for interaction in interactions:
        key = request_key(interaction.request, site_id)
        seen[key] += 1
        result[f"{key} #{seen[key]}"] = interaction
    return result


# --- whole recordings -------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftReport:
    target: str
    baseline_dir: str
    baseline_recorded_at: str
    fresh_recorded_at: str
    seed: int
    session_ttl: int | None
    compared: int
    differences: tuple[Difference, ...] = field(default=())

    def contract_relevant(self) -> list[Difference]:
        return [d for d in self.differences if d.relevance is Relevance.CONTRACT]

    def benign(self) -> list[Difference]:
        return [d for d in self.differences if d.relevance is Relevance.BENIGN]

    def summary(self) -> list[Change]:
        """The differences grouped by what changed, contract-relevant first."""
        groups: dict[tuple[str, str, str, Relevance], list[Difference]] = {}
        for difference in self.differences:
            key = (_generic(difference.subject), difference.before, difference.after,
                   difference.relevance)
            groups.setdefault(key, []).append(difference)
        changes = [Change(subject, before, after, relevance, len(found), found[0].where)
                   for (subject, before, after, relevance), found in groups.items()]
        return sorted(changes, key=lambda c: (c.relevance is not Relevance.CONTRACT,
                                              c.subject, -c.count))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["differences"] = [{**asdict(d), "relevance": d.relevance.value}
                               for d in self.differences]
        data["summary"] = [{**asdict(c), "relevance": c.relevance.value}
                           for c in self.summary()]
        data["contract_relevant"] = len(self.contract_relevant())
        data["benign"] = len(self.benign())
        return data


@dataclass(frozen=True)
class Change:
    """One kind of difference and how often it was seen."""

    subject: str
    before: str
    after: str
    relevance: Relevance
    count: int
    first_seen: str


def _generic(subject: str) -> str:
    # The same member under a wrapper or a list is the same change to a reader.
    return re.sub(r"\[\]", "", subject)


def compare_folders(baseline_dir: Path, fresh_dir: Path) -> DriftReport:
    baseline, fresh = read_provenance(baseline_dir), read_provenance(fresh_dir)
    ttl = Ttl(baseline.session_ttl if baseline.session_ttl is not None else fresh.session_ttl,
              baseline.session_ttl_tolerance)
    before = _recording(baseline_dir, baseline)
    after = _recording(fresh_dir, fresh)

    differences: list[Difference] = []
    compared = 0
    for name in sorted(set(before) | set(after)):
        if name not in after:
            differences.append(Difference(name, "cassette", "recorded", "missing",
                                          Relevance.CONTRACT))
            continue
        if name not in before:
            differences.append(Difference(name, "cassette", "absent", "new",
                                          Relevance.BENIGN))
            continue
        found, count = _compare_cassette(name, before[name], after[name], ttl)
        differences.extend(found)
        compared += count
    differences.extend(compare_token_shapes(before, after))
    return DriftReport(
        target=baseline.target_name, baseline_dir=str(baseline_dir),
        baseline_recorded_at=baseline.recorded_at, fresh_recorded_at=fresh.recorded_at,
        seed=baseline.seed, session_ttl=ttl.seconds, compared=compared,
        differences=tuple(differences))


Recording = dict[str, dict[str, Interaction]]


def _recording(directory: Path, provenance: Provenance) -> Recording:
    return {str(path.relative_to(directory)):
            keyed(read_cassette(path).interactions, provenance.site_id)
            for path in cassette_files(directory)}


def _compare_cassette(name: str, before: Mapping[str, Interaction],
                      after: Mapping[str, Interaction], ttl: Ttl,
                      ) -> tuple[list[Difference], int]:
    found: list[Difference] = []
    compared = 0
    for key in before:
        where = f"{name} {key}"
        if key not in after:
            found.append(Difference(where, "request", "sent", "no longer sent",
                                    Relevance.CONTRACT))
            continue
        compared += 1
        found.extend(compare_shapes(where, shape_of(before[key].response, ttl),
                                    shape_of(after[key].response, ttl)))
    for key in after:
        if key not in before:
            found.append(Difference(f"{name} {key}", "request", "not sent", "sent",
                                    Relevance.BENIGN))
    return found, compared


def token_shapes(recording: Recording) -> dict[str, str]:
    """Length and alphabet of each secret member, over every answer of a recording."""
    values: dict[str, list[str]] = {}
    for interactions in recording.values():
        for interaction in interactions.values():
            _, data = read_body(interaction.response)
            for path, value in walk(data):
                name = member_name(path)
                if isinstance(value, str) and value and member_kind(name) is not None:
                    values.setdefault(name, []).append(value)
    return {name: f"length {_lengths(found)}, {alphabet_name(found)}"
            for name, found in values.items()}


def _lengths(values: list[str]) -> str:
    return "/".join(str(length) for length in sorted({len(value) for value in values}))


def compare_token_shapes(before: Recording, after: Recording) -> list[Difference]:
    old, new = token_shapes(before), token_shapes(after)
    return [Difference("all answers", f"shape of {name}", old[name], new[name],
                       Relevance.CONTRACT)
            for name in sorted(set(old) & set(new)) if old[name] != new[name]]


# --- reports --------------------------------------------------------------------------------


def markdown(report: DriftReport) -> str:
    relevant, benign = report.contract_relevant(), report.benign()
    lines = [
        f"# Drift of {report.target}",
        "",
        f"Baseline `{report.baseline_dir}` recorded {report.baseline_recorded_at}; "
        f"fresh recording {report.fresh_recorded_at}; seed {report.seed}; "
        f"site session timeout {report.session_ttl if report.session_ttl else 'unknown'}.",
        f"{report.compared} answers compared: {len(relevant)} contract-relevant "
        f"difference(s), {len(benign)} benign.",
    ]
    lines += ["", "## Summary", ""]
    if not report.differences:
        lines.append("No differences.")
    else:
        lines += ["| relevance | what | before | after | answers | first seen in |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {c.relevance.value} | {_cell(c.subject)} | {_cell(c.before)} | "
                  f"{_cell(c.after)} | {c.count} | {_cell(c.first_seen)} |"
                  for c in report.summary()]
    for title, found in (("Contract-relevant", relevant), ("Benign", benign)):
        lines += ["", f"## {title}", ""]
        if not found:
            lines.append("None.")
            continue
        lines += ["| where | what | before | after |", "| --- | --- | --- | --- |"]
        lines += [f"| {_cell(d.where)} | {_cell(d.subject)} | {_cell(d.before)} | "
                  f"{_cell(d.after)} |" for d in found]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|")


def write_drift_reports(report: DriftReport, report_dir: Path) -> tuple[Path, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = report_dir / DRIFT_MARKDOWN, report_dir / DRIFT_JSON
    md_path.write_text(markdown(report), encoding="utf-8")
    json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return md_path, json_path
