"""The requirement catalogue: requirements, levels and profiles, loaded from ``specs/``.

Everything that judges a target speaks in requirement IDs from this catalogue; the level of a
requirement decides whether an unmet check fails the run (MUST), warns (SHOULD) or is only
reported (RECORD).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conformance.paths import catalogue_path


class Level(enum.Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    RECORD = "RECORD"


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    profile: str
    endpoint: str
    statement: str
    sources: tuple[str, ...]
    disagreement: str | None = None


@dataclass(frozen=True)
class Catalogue:
    requirements: tuple[Requirement, ...]
    profiles: dict[str, str]
    endpoints: dict[str, str]
    digest: str

    def __getitem__(self, requirement_id: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(f"no requirement {requirement_id!r} in the catalogue")

    def __contains__(self, requirement_id: object) -> bool:
        return any(requirement.id == requirement_id for requirement in self.requirements)

    def ids(self) -> list[str]:
        return [requirement.id for requirement in self.requirements]

    def in_profile(self, profile: str) -> list[Requirement]:
        return [r for r in self.requirements if r.profile == profile]


class CatalogueError(ValueError):
    """The catalogue file is not a well-formed requirement catalogue."""


def parse_catalogue(text: str) -> Catalogue:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
        raise CatalogueError("the catalogue needs a top-level 'requirements' list")

    profiles = dict(data.get("profiles") or {})
    endpoints = dict(data.get("endpoints") or {})
    requirements = tuple(_parse_requirement(entry) for entry in data["requirements"])

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Catalogue(requirements, profiles, endpoints, digest)


def _parse_requirement(entry: Any) -> Requirement:
    if not isinstance(entry, dict) or "id" not in entry:
        raise CatalogueError(f"a requirement entry has no id: {entry!r}")

    try:
        level = Level(entry["level"])
    except (KeyError, ValueError) as exc:
        raise CatalogueError(f"{entry['id']}: unknown level {entry.get('level')!r}") from exc

    return Requirement(
        id=str(entry["id"]),
        level=level,
        profile=str(entry.get("profile", "")),
        endpoint=str(entry.get("endpoint", "")),
        statement=" ".join(str(entry.get("statement", "")).split()),
        sources=tuple(str(source) for source in entry.get("sources") or ()),
        disagreement=entry.get("disagreement"),
    )


@cache
def load_catalogue(path: Path | None = None) -> Catalogue:
    return parse_catalogue((path or catalogue_path()).read_text(encoding="utf-8"))
