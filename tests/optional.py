"""Optional parts the tests need (extras, a PostgreSQL server): skipped locally without them, failed in CI."""

from __future__ import annotations

import importlib
import os

import pytest

__all__ = ["need", "missing"]


def missing(reason: str):
    """Skip the test, or fail it when CI=true: CI installs every extra and server the tests use."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true : l'intégration continue doit l'installer)")
    pytest.skip(reason)


def need(module: str):
    """The module, imported; the test is skipped locally (failed in CI) without it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(f"le module {module} n'est pas installé")
