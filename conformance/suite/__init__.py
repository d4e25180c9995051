"""The conformance tests pytest collects, one module per profile of the catalogue."""
