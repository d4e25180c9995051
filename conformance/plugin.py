"""pytest plugin of the conformance suite (options, target fixture, verdict collection)."""

from __future__ import annotations
