"""Cassettes: recording the scenario flows, scrubbing them, replaying them, and drift.

``scrub`` turns secrets into linkage-keeping pseudonyms; ``cassettes`` holds the vcrpy
configuration, the cassette folder layout and its provenance; ``session`` records or
replays the suite under pytest (``--cassette-dir``); ``replay`` blocks the network and
judges the vendor's samples; ``samples`` builds those; ``drift`` compares two recordings
by shape; ``commands`` provides ``dr-conformance record`` and ``dr-conformance drift``.
"""
