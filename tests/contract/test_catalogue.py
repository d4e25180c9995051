"""The requirement catalogue holds together, and every judged requirement has a check."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import conformance.suite
from conformance.catalogue import CatalogueError, Level, load_catalogue, parse_catalogue
from conformance.reference.faults import FAULTS

CATALOGUE = load_catalogue()
ID_PATTERN = re.compile(r"^(ST|JSONP|EX|SH|TI|RF|HY|SC)-[A-Z0-9]+(-[A-Z0-9]+)*$")


def test_there_are_enough_requirements() -> None:
    assert len(CATALOGUE.requirements) >= 30


def test_ids_are_unique_and_readable() -> None:
    ids = CATALOGUE.ids()
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not ID_PATTERN.match(i)] == []


def test_every_requirement_has_a_known_profile_and_endpoint() -> None:
    for requirement in CATALOGUE.requirements:
        assert requirement.profile in CATALOGUE.profiles, requirement.id
        assert requirement.endpoint in CATALOGUE.endpoints, requirement.id


def test_every_requirement_has_a_statement_and_a_source() -> None:
    for requirement in CATALOGUE.requirements:
        assert len(requirement.statement) > 20, requirement.id
        assert requirement.sources, requirement.id
        assert all(source.strip() for source in requirement.sources), requirement.id


def test_every_profile_has_requirements() -> None:
    for profile in CATALOGUE.profiles:
        assert CATALOGUE.in_profile(profile), profile


def test_the_two_invariants_stand_as_musts() -> None:
    assert CATALOGUE["EX-NEW-SESSION"].level is Level.MUST
    assert CATALOGUE["EX-TTL-MATCHES-SITE"].level is Level.MUST
    assert CATALOGUE["EX-NEW-SESSION"].disagreement


def test_unknown_level_is_rejected() -> None:
    text = "requirements:\n  - id: X-ONE\n    level: MAYBE\n"
    with pytest.raises(CatalogueError, match="unknown level"):
        parse_catalogue(text)


def _suite_requirement_marks() -> set[str]:
    """Requirement IDs named by `requirement` marks on the suite's tests."""
    found: set[str] = set()
    for module_info in pkgutil.iter_modules(conformance.suite.__path__):
        if not module_info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"conformance.suite.{module_info.name}")
        for value in vars(module).values():
            marks = list(getattr(value, "pytestmark", []))
            for cls_value in vars(value).values() if isinstance(value, type) else ():
                marks += getattr(cls_value, "pytestmark", [])
            found.update(arg for mark in marks if mark.name == "requirement"
                         for arg in mark.args)
    return found


def test_every_must_and_should_requirement_has_a_check() -> None:
    judged = _suite_requirement_marks()
    unjudged = [r.id for r in CATALOGUE.requirements
                if r.level is not Level.RECORD and r.id not in judged]
    assert unjudged == []


def test_marks_name_only_catalogue_requirements() -> None:
    assert sorted(_suite_requirement_marks() - set(CATALOGUE.ids())) == []


def test_every_must_requirement_has_a_fault_that_breaks_it() -> None:
    broken = {fault.breaks for fault in FAULTS}
    assert [r.id for r in CATALOGUE.requirements
            if r.level is Level.MUST and r.id not in broken] == []
    assert sorted(broken - set(CATALOGUE.ids())) == []
