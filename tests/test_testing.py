"""Hypothesis strategies for users: valid households near thresholds, invalid rows; lazy import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import repartition
from repartition.errors import InvalidHousehold
from repartition.testing import households, invalid_rows, thresholds

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = [p for p in (ROOT / "policies" / "dispositif-repartition.regles",
                       ROOT / "policies" / "exemple-departemental.regles") if p.exists()]
MONEY = ROOT / "tests" / "corpus" / "valid" / "montants-et-dates.regles"
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_household_gets_exactly_one_service(path):
    """On each bundled charter, every generated household is routed, identically by both engines."""
    compiled = repartition.load_charter(path)
    interpreted = repartition.load_charter(path, engine="interprete")

    @_SETTINGS
    @given(households(compiled))
    def check(household):
        a, b = compiled.route(household), interpreted.route(household)
        assert (a.service, a.rules, a.unit, dict(a.facts)) == (b.service, b.rules, b.unit, dict(b.facts))
        assert a.set_aside == b.set_aside

    check()


@pytest.mark.parametrize("path", BUNDLED + [MONEY], ids=lambda p: p.stem)
def test_invalid_rows_are_refused_naming_a_field(path):
    """Every invalid row raises InvalidHousehold naming one of the charter's fields."""
    charter = repartition.load_charter(path)
    machines = {f.machine for f in charter.fields}

    @_SETTINGS
    @given(invalid_rows(charter))
    def check(row):
        with pytest.raises(InvalidHousehold) as raised:
            charter.validate(row)
        assert raised.value.field in machines

    check()


def test_thresholds_include_both_sides_of_each_bound():
    """Thresholds hold each bound the rules use and one unit either side, within the field's bounds."""
    charter = repartition.load_charter(MONEY)
    near = thresholds(charter)
    assert {499_999, 500_000, 500_001, 500_002} & set(near["dette"])  # « plus de 5 000,00 € »
    assert min(near["loyer"]) >= 100  # the field's own minimum, 1 €


def test_ratio_thresholds_are_hit_exactly():
    """Generated households meet `dette = 6 × loyer` exactly (and one cent either side) sometimes."""
    charter = repartition.load_charter(MONEY)
    seen = set()

    @settings(max_examples=300, deadline=None)
    @given(households(charter))
    def check(household):
        values = charter.validate(household).values
        seen.add((values[0] - 6 * values[1]) if values[0] is not None and values[1] is not None else None)

    check()
    assert {-1, 0, 1} <= seen


def test_import_repartition_does_not_need_hypothesis():
    """`import repartition` and `import repartition.testing` do not import Hypothesis."""
    code = ("import sys, repartition, repartition.testing, repartition.proof; "
            "assert 'hypothesis' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(ROOT / "src")})
