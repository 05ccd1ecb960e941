"""The public API is typed (`py.typed`): a small client passes `mypy --strict`, and a type mistake in it does not."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

CLIENT = ROOT / "tests" / "typing" / "client.py"


def _mypy(path, cache) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(cache),
                           str(path)], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_typed_client_passes_mypy_strict_and_a_mistake_is_caught(tmp_path):
    """mypy --strict finds no issue in the client; the same client assigning a sha256 to an int fails."""
    cache = tmp_path / "cache"
    done = _mypy(CLIENT, cache)
    assert done.returncode == 0, done.stdout + done.stderr
    wrong = tmp_path / "client_faux.py"
    shutil.copy(CLIENT, wrong)
    with wrong.open("a", encoding="utf-8") as out:
        out.write("\nwrong: int = repartition.load_charter('x.regles').sha256\n"
                  "decision_or_not: Decision = repartition.load_charter('x.regles').validate({})\n")
    done = _mypy(wrong, cache)
    assert done.returncode == 1
    assert 'Incompatible types in assignment (expression has type "str", variable has type "int")' in done.stdout
    assert '"ValidatedHousehold", variable has type "Decision"' in done.stdout

