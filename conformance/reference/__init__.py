"""The embedded reference implementation of the session-token contract.

A faithful target for the conformance suite: the store's SessionToken site action, the
OAuth token endpoint, the legacy Shopper API token route and token information, served by
:class:`conformance.reference.server.ReferenceServer`. Named faults
(:mod:`conformance.reference.faults`) each break one requirement on purpose.

Nothing is imported here, so that importing the fault table stays cheap and does not pull
in the web server.
"""
