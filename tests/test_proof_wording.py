"""Tests of the one French wording of regions shared by the proof, the decision tables and the diff."""

from __future__ import annotations

import repartition
from repartition.diff import compare
from repartition.proof import verify
from repartition.render import decision_tables

_TEXT = """charte « Mots »
version {version}

services
  CAF : « CAF »
  DEP : « Département »

ensemble « communes CCAS » : 75101, 75102

données du ménage
  dette [dette] : montant en euros d'au moins 0
  commune [commune] : code
  signalement [signalement] : date
  stade [stade] : étape parmi (aucune, payer, assignation, jugement)
  aide au logement [aide] : oui ou non, peut être inconnu

règle « Grosse dette »
  si la dette est au moins {seuil} € et la commune est dans « communes CCAS »
     et le signalement est au moins 2026-03-01 et le stade est entre payer et assignation
     et aide au logement
  alors DEP
{reste}"""


def _charter(version: int = 1, seuil: str = "5 000", reste: str = "") -> repartition.Charter:
    return repartition.Charter.from_text(_TEXT.format(version=version, seuil=seuil, reste=reste),
                                         name=f"mots-{version}.regles", verify=False)


def test_proof_regions_read_like_the_rules():
    """Regions read « moins de 5 000,00 € », « avant le … », « hors de « … » », « inconnu »."""
    problems = {p.kind: p.region for p in verify(_charter()).problems}
    assert set(problems["lacune"].split(" ; ou ")) == {
        "dette moins de 5\u202f000,00 €", "commune hors de « communes CCAS »",
        "signalement avant le 1er mars 2026", "stade parmi aucune, jugement", "aide au logement : non",
    }
    assert problems["indetermination"] == (
        "dette au moins 5\u202f000,00 €, commune dans « communes CCAS », signalement à partir du 1er mars 2026, "
        "stade entre payer et assignation, aide au logement inconnu")


def test_table_cells_and_proof_use_the_same_words():
    """A decision table cell is the proof's wording without the field's name."""
    loaded = _charter(reste="\nrègle « Autres »\n  dans tous les autres cas, CAF\n")
    (dep,) = [t for t in decision_tables(loaded.model).tables if t.service == "DEP"]
    assert dep.columns == ("dette", "commune", "signalement", "stade", "aide au logement")
    assert [r.cells for r in dep.rows] == [(
        "au moins 5\u202f000,00 €", "dans « communes CCAS »", "à partir du 1er mars 2026",
        "entre payer et assignation", "oui")]


def test_diff_uses_the_same_words():
    """A changed threshold reads « dette au moins 5 000,00 € et moins de 6 000,00 € » in the diff."""
    rest = "\nrègle « Autres »\n  dans tous les autres cas, CAF\n"
    old, new = _charter(1, reste=rest), _charter(2, seuil="6 000", reste=rest)
    (difference,) = [d for d in compare(old, new).differences if d.old == ("decision", "DEP")]
    assert difference.conditions == (
        "dette au moins 5\u202f000,00 € et moins de 6\u202f000,00 €", "commune dans « communes CCAS »",
        "signalement à partir du 1er mars 2026", "stade entre payer et assignation", "aide au logement : oui")
    assert difference.checked
