"""Checks: small pure functions from observed exchanges to findings.

One module per part of the contract. A check never performs I/O, so it runs unchanged on a
live answer, a cassette replay or a response schemathesis received.
"""
