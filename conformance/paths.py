"""Where the contract files live.

The contract (``specs/``) sits beside the package in the repository, which is how the suite
is installed (``pip install -e .``); ``DR_SPECS_DIR`` points elsewhere for other layouts.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def specs_dir() -> Path:
    override = os.environ.get("DR_SPECS_DIR")
    return Path(override) if override else PROJECT_DIR / "specs"


def openapi_path() -> Path:
    return specs_dir() / "openapi.yaml"


def catalogue_path() -> Path:
    return specs_dir() / "requirements.yaml"
