"""A Decision is a plain immutable value: equal for equal content, hashable, picklable, JSON-ready by to_dict()."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

import repartition
from repartition import Decision

from conftest import FICHE

HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "assignation",
             "connu_services_sociaux": "non"}
#: The keys of `to_dict()`, in order (README, docs and the service's OpenAPI document say the same).
KEYS = ["service", "libelle_service", "unite", "regle", "reference", "regles", "regles_ecartees", "partenaires",
        "faits", "valeurs_par_defaut", "explication", "charte"]


def test_a_decision_is_no_tuple_and_shows_itself(fiche):
    """Not a tuple (pandas and json see a value, not the charter inside); its repr names service and rule."""
    decision = fiche.route(HOUSEHOLD)
    assert not isinstance(decision, tuple) and type(decision) is Decision
    assert repr(decision) == "Decision(service='DEPARTEMENT', rule='Procédure judiciaire')"


def test_attributes_are_read_only(fiche):
    """Public attributes cannot be set, and no attribute can be added."""
    decision = fiche.route(HOUSEHOLD)
    for name in ("service", "rule", "unit", "assumed", "facts", "explanation", "reference"):
        with pytest.raises(AttributeError):
            setattr(decision, name, "autre")
    with pytest.raises(AttributeError):
        decision.nouveau = 1
    with pytest.raises(TypeError):
        decision.facts["enfants_a_charge"] = 0  # type: ignore[index]
    assert decision.service == "DEPARTEMENT" and decision.facts["enfants_a_charge"] == 2


def test_equal_content_means_equal_decisions(fiche, engine):
    """Routing the same household twice, or through another charter object with the same content and
    another engine, gives equal decisions with equal hashes; another service or other facts differ."""
    first, again = fiche.route(HOUSEHOLD), fiche.route(dict(HOUSEHOLD))
    other_engine = repartition.load_charter(FICHE, engine="interprete" if engine != "interprete" else "compile")
    twin = other_engine.route(HOUSEHOLD)
    assert first == again == twin and hash(first) == hash(again) == hash(twin)
    assert len({first, again, twin}) == 1
    assert first != fiche.route({**HOUSEHOLD, "stade_procedure": "jugement"})  # other facts
    assert first != fiche.route({**HOUSEHOLD, "stade_procedure": "aucune"})  # other service
    assert first != "DEPARTEMENT"


def test_facts_that_do_not_matter_do_not_make_decisions_differ(fiche):
    """Two households differing only in a field no deciding rule reads get equal decisions."""
    known = fiche.route({**HOUSEHOLD, "connu_services_sociaux": "oui"})
    assert known == fiche.route(HOUSEHOLD) and known.to_dict() == fiche.route(HOUSEHOLD).to_dict()


def test_to_dict_keys_and_values(fiche):
    """to_dict() has exactly the documented keys, the deciding rule's reference, no partners yet; it
    goes through json as it is."""
    summary = fiche.route(HOUSEHOLD).to_dict()
    assert list(summary) == KEYS
    assert summary["reference"] == "PDALHPD, fiche action 3-4, alinéa 3"
    assert summary["partenaires"] == []
    assert summary["charte"] == {"titre": fiche.title, "version": "2018.1", "sha256": fiche.sha256}
    assert json.loads(json.dumps(summary)) == summary


def test_amounts_and_dates_are_exact_text_in_to_dict(tmp_path):
    """Amounts are decimal text to the cent (never a float), dates ISO, unknown values null."""
    text = """charte « M »
services
  A : « a »
  B : « b »
données du ménage
  dette [dette] : montant en euros
  depuis [depuis] : date
  loyer [loyer] : montant en euros, peut être inconnu
règle « Forte dette »
  si la dette est au moins 1000,10 € et depuis est après le 1er janvier 2020
  alors A
règle « Loyer inconnu », par exception à « Forte dette »
  si le loyer est inconnu et la dette est au moins 5000 €
  alors A
règle « Autres »
  sinon B
"""
    charter = repartition.Charter.from_text(text, name="m.regles")
    summary = charter.route({"dette": 5000.1, "depuis": "2024-02-29", "loyer": None}).to_dict()
    assert summary["faits"] == {"dette": "5000.10", "depuis": "2024-02-29", "loyer": None}
    assert summary["regle"] == "Loyer inconnu" and summary["regles_ecartees"] == ["Forte dette"]
    assert summary["reference"] is None


def test_decisions_pickle_and_copy(fiche):
    """A decision pickles (with its charter) and copies; the copy is equal and says the same."""
    decision = fiche.route(HOUSEHOLD)
    for other in (pickle.loads(pickle.dumps(decision)), copy.copy(decision), copy.deepcopy(decision)):
        assert other == decision and other.to_dict() == decision.to_dict()
        assert other.charter is fiche  # unpickled in the same process: the same charter


def test_unit_and_assumed_defaults_in_to_dict():
    """The departmental charter: a unit from its table, defaults assumed, the deciding rule's reference."""
    charter = repartition.load_charter(repartition.bundled_charter("exemple-departemental.regles"))
    household = {"commune": "96001", "date_signalement": "2026-03-02", "stade_procedure": "assignation",
                 "type_bailleur": "prive", "enfants_a_charge": 0, "aide_au_logement": "non",
                 "prestations_familiales": "non", "connu_services_sociaux": "non", "dette_locative": "3000",
                 "loyer_mensuel": "500"}
    decision = charter.route(household)
    summary = decision.to_dict()
    assert summary["unite"] == decision.unit is not None
    assert set(summary["valeurs_par_defaut"]) == set(decision.assumed) and summary["valeurs_par_defaut"]
    rule = next(r for r in charter.rules if r.name == decision.rule)
    assert summary["reference"] == rule.reference == decision.reference
