"""Contract and conformance suite for Digital River Global Commerce session-aware tokens.

The package judges a target (the vendor's sandbox, the embedded reference implementation or
an alternate implementation) against the requirement catalogue in ``specs/``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
