"""Shared fixtures: the bundled charters, and a charter built on each backend."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest

import repartition
from repartition import runtime

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
FICHE = POLICIES / "dispositif-repartition.regles"

_CACHE_HOME = tempfile.mkdtemp(prefix="repartition-tests-cache-")


def pytest_configure(config):
    """The suite keeps to its own cache folder, and compiles every charter it loads: a test that
    patches the compiler or the proof must see its patch at work, not a charter cached before it
    (tests/test_cache.py turns the cache on where it is the subject)."""
    os.environ["XDG_CACHE_HOME"] = _CACHE_HOME
    os.environ["REPARTITION_CACHE"] = "0"


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE_HOME, ignore_errors=True)


def python_only():
    """Within it, charters generate code that keeps to Python, as where no C compiler was found."""
    return mock.patch.multiple(runtime, reader=None, recorder=None)


@contextlib.contextmanager
def batch_python_only():
    """Within it, batches read quoted lines and neutralise formulas in Python, as where no C compiler was found."""
    from repartition.batch import pipeline, readers, writers

    with mock.patch.object(readers, "unquote_line", readers._unquote_all), \
            mock.patch.object(writers, "neutralise_cells", writers._neutralise_cells_py), \
            mock.patch.object(pipeline, "neutralise_cells", writers._neutralise_cells_py):
        yield


@pytest.fixture(params=["compile", "compile-python", "interprete"])
def engine(request):
    """Every semantic test runs on both backends: the compiler (with its C reader, and as it
    runs where no C compiler was found) and the reference interpreter."""
    if request.param == "compile-python":
        with python_only():
            yield "compile"
    else:
        yield request.param


@pytest.fixture
def make_charter(engine):
    """Build a charter from text on the current backend."""

    def make(text: str, *, base_dir=None, verify: bool = True, name: str = "test.regles"):
        return repartition.Charter.from_text(text, name=name, base_dir=base_dir, verify=verify, engine=engine)

    return make


@pytest.fixture
def fiche(engine):
    return repartition.load_charter(FICHE, engine=engine)
