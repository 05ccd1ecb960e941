"""Shared fixtures: the bundled charters, and a charter built on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

import repartition
from repartition.charter import ENGINES

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
FICHE = POLICIES / "dispositif-repartition.regles"


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    """Every semantic test runs on both backends: the compiler and the reference interpreter."""
    return request.param


@pytest.fixture
def make_charter(engine):
    """Build a charter from text on the current backend."""

    def make(text: str, *, base_dir=None, verify: bool = True, name: str = "test.regles"):
        return repartition.Charter.from_text(text, name=name, base_dir=base_dir, verify=verify, engine=engine)

    return make


@pytest.fixture
def fiche(engine):
    return repartition.load_charter(FICHE, engine=engine)
