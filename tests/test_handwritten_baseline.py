"""The hand-written baselines of the benchmark route generated households exactly as the charters do."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

import repartition

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `benchmarks/` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import handwritten, households  # noqa: E402

N = 2000
CASES = {
    "fiche": (ROOT / "policies" / "dispositif-repartition.regles", households.fiche_households,
              households.to_fiche_values, handwritten.route_fiche),
    "departemental": (ROOT / "policies" / "exemple-departemental.regles",
                      households.departemental_households, households.to_departemental_values,
                      handwritten.route_departemental),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_baseline_agrees_with_charter(case, engine):
    """On 2 000 generated households, the hand-written if/elif names the service the charter names."""
    path, generate, convert, route = CASES[case]
    charter = repartition.load_charter(path, engine=engine)
    disagreements = []
    for household in generate(N):
        expected = charter.route(household).service
        got = route(convert(household))
        if got != expected:
            disagreements.append((household, expected, got))
    assert disagreements[:3] == []


def _private_sector_grid():
    """Households without referent before litigation at a private landlord, the charter's densest part."""
    communes = ("96067", "96003", "96019", "96178")  # CCAS only, mobile team only, both, neither
    amounts = (("5000.00", "472.21"), ("2833.26", "472.21"), ("2833.25", "472.21"),
               ("5000.01", "900.00"), ("1200.00", None))
    tri = ("oui", "non", None)
    for stage, children, aid, benefits, regime, known, commune, day, (debt, rent) in itertools.product(
            ("aucune", "commandement_de_payer"), (0, 1), tri, tri, ("general", "agricole"), tri,
            communes, ("2026-02-28", "2026-03-01"), amounts):
        yield {"commune": commune, "date_signalement": day, "stade_procedure": stage,
               "type_bailleur": "prive", "enfants_a_charge": children, "aide_au_logement": aid,
               "prestations_familiales": benefits, "regime": regime, "connu_services_sociaux": known,
               "service_referent": "aucun", "dette_locative": debt, "loyer_mensuel": rent}


def test_departemental_baseline_agrees_on_the_private_sector_grid(engine):
    """Every combination of boundary and unknown values in the private sector gets the charter's service."""
    path, _, convert, route = CASES["departemental"]
    charter = repartition.load_charter(path, engine=engine)
    disagreements = [(h, charter.route(h).service) for h in _private_sector_grid()
                     if route(convert(h)) != charter.route(h).service]
    assert disagreements[:3] == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_households_reach_every_rule(case):
    """Every rule of each charter decides at least one generated household, so agreement means something."""
    path, generate, _, _ = CASES[case]
    charter = repartition.load_charter(path)
    decided = {charter.route(household).rule for household in generate(N)}
    assert [rule.name for rule in charter.rules if rule.name not in decided] == []


def test_departemental_households_hit_thresholds_and_unknowns():
    """The departmental generator puts households on the 5 000 € and six-months thresholds and leaves values unknown."""
    generated = [households.to_departemental_values(h) for h in households.departemental_households(N)]
    assert any(h["dette_locative"] == 500_000 for h in generated)
    assert any(h["dette_locative"] == 500_001 for h in generated)
    assert any(h["loyer_mensuel"] and h["dette_locative"] == 6 * h["loyer_mensuel"] for h in generated)
    assert any(h["loyer_mensuel"] and h["dette_locative"] == 6 * h["loyer_mensuel"] - 1 for h in generated)
    for field in ("stade_procedure", "type_bailleur", "aide_au_logement", "prestations_familiales",
                  "connu_services_sociaux", "loyer_mensuel"):
        assert any(h[field] is None for h in generated), field


def test_generators_are_deterministic():
    """The same seed gives the same households; another seed gives others."""
    assert households.departemental_households(50) == households.departemental_households(50)
    assert households.fiche_households(50) == households.fiche_households(50)
    assert households.departemental_households(50, seed=1) != households.departemental_households(50)


def test_cents_reads_amounts_exactly():
    """Amount strings become exact integer cents, and more than two decimals is refused."""
    assert households.cents("2833.26") == 283326
    assert households.cents("1234,5") == 123450
    assert households.cents("600") == 60000
    with pytest.raises(ValueError):
        households.cents("1.005")
