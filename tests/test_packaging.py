"""Packaging: the wheel ships the grammar, its LALR tables and the bundled charters, and uses them."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

# hatch_build.py compiles the C reader with the compiler Python was built with, when it is here.
_LINKER = sysconfig.get_config_var("LDSHARED")
_HAS_COMPILER = bool(_LINKER and shutil.which(shlex.split(_LINKER)[0]))

_CHECK = r"""
import sys, lark
def refuse(*args, **kwargs):
    raise SystemExit("the LALR tables were rebuilt instead of loaded from the wheel")
lark.Lark._build_parser = refuse
import repartition
from repartition.resources import parser_cache_path
root = sys.argv[1]
assert repartition.__file__.startswith(root), repartition.__file__
assert str(parser_cache_path()).startswith(root)
from repartition import runtime
print("lecteur C", runtime.reader is not None)
for name in ("dispositif-repartition.regles", "exemple-departemental.regles"):
    path = repartition.bundled_charter(name)
    assert str(path).startswith(root), path
    charter = repartition.load_charter(path)
    print(name, len(charter.rules))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
                   check=True, capture_output=True)
    (built,) = out.glob("repartition-*.whl")
    return built


def test_wheel_carries_the_c_reader_where_a_compiler_is_found(wheel):
    """With a C compiler the wheel holds the C reader and is tagged for this platform; without, it is pure."""
    names = zipfile.ZipFile(wheel).namelist()
    compiled = [n for n in names if n.startswith("repartition/_speedups")]
    assert bool(compiled) is _HAS_COMPILER
    assert wheel.name.endswith("-py3-none-any.whl") is not _HAS_COMPILER


def test_wheel_contains_data(wheel):
    """The wheel holds the grammar, its pre-built LALR tables, every bundled charter and table, the
    `py.typed` marker and the form's stylesheet."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"repartition/grammars/regles.lark", "repartition/grammars/regles.lark.cache", "repartition/py.typed",
            "repartition/service/static/formulaire.css"} <= names
    for path in (ROOT / "policies").iterdir():
        assert f"repartition/policies/{path.name}" in names


def test_installed_wheel_loads_bundled_charters_from_read_only_site(wheel, tmp_path):
    """Unpacked read-only, the wheel loads its charters with the shipped tables, never rebuilding."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    for folder, dirs, files in os.walk(site):
        for name in dirs + files:
            path = Path(folder) / name
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", _CHECK, str(site)], capture_output=True, text=True,
                            env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "dispositif-repartition.regles 3" in result.stdout
    assert f"lecteur C {_HAS_COMPILER}" in result.stdout
    assert not (tmp_path / "cache" / "repartition" / "regles.lark.tables").exists()
