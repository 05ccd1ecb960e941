"""Hand-written `if`/`elif` transcriptions of the bundled charters: the baseline of the benchmark.

This is the code a policy officer would write without `repartition`, reading each charter from top
to bottom: one test per rule, in file order, returning the service code. An exception written
*after* the rule it overrides becomes an `and not (...)` in that rule's test; one written before it
needs nothing, the `elif` chain already gives it priority. Unknown values are `None` and are tested
explicitly where the charter handles them (`is None`). The charter's definitions are spelled out
in each test that uses them (« ménage du parc privé à orienter » is `referent == "aucun" and stage
in _PRE_LITIGATION and landlord == "prive"`), so that a household pays only for the tests it
reaches, as in an officer's chain of tests.

Input: a plain dict of Python values, as `benchmarks.households.to_fiche_values` and
`to_departemental_values` produce them (stages as machine names, amounts as integer cents, yes/no
as `bool`, dates as `datetime.date`, unknown as `None`, default values already filled in).

The speed bars of shared/performance.md (the developers' notes) are ratios to these functions, so they must stay
honest: `tests/test_handwritten_baseline.py` checks that they agree with `Charter.route` on
generated households. Being a baseline, this module deliberately does not use `repartition`.
"""

from __future__ import annotations

import csv
import datetime as _dt
from pathlib import Path

__all__ = ["route_fiche", "route_departemental", "CCAS_COMMUNES", "MOBILE_TEAM_COMMUNES"]

_POLICIES = Path(__file__).resolve().parents[1] / "policies"

# ---- fiche 3-4: policies/dispositif-repartition.regles ----------------------------------------

# « en procédure judiciaire » : the stage is at least the assignation.
_JUDICIAL = frozenset({"assignation", "jugement", "commandement_de_quitter_les_lieux",
                       "demande_de_concours", "concours_accorde"})


def route_fiche(h: dict) -> str:
    """The fiche 3-4 charter, transcribed rule by rule."""
    stage = h["stade_procedure"]
    # « Familles allocataires », set aside by « Procédure judiciaire » (written after it).
    if h["enfants_a_charge"] >= 1 and h["aide_au_logement"] and not (stage in _JUDICIAL):
        return "CAF"
    # « Procédure judiciaire »
    elif stage in _JUDICIAL:
        return "DEPARTEMENT"
    # « Autres ménages »
    else:
        return "DEPARTEMENT"


# ---- the departmental example: policies/exemple-departemental.regles --------------------------

def _read_codes(name: str) -> frozenset[str]:
    with open(_POLICIES / name, encoding="utf-8-sig", newline="") as handle:
        return frozenset(row["code_insee"].strip() for row in csv.DictReader(handle))


#: Table « communes à CCAS instructeur » (policies/communes-ccas.csv).
CCAS_COMMUNES = _read_codes("communes-ccas.csv")
#: Ensemble « communes couvertes par l'équipe mobile », copied from the charter.
MOBILE_TEAM_COMMUNES = frozenset({
    "96003", "96007", "96014", "96019", "96022", "96025", "96030", "96041", "96078", "96081",
    "96085", "96108", "96111", "96115",
})
_PRE_LITIGATION = frozenset({"aucune", "commandement_de_payer"})
_PARTNER_REFERENTS = frozenset({"departement", "caf", "msa", "ccas"})
_MOBILE_TEAM_START = _dt.date(2026, 3, 1)
_DEBT_THRESHOLD = 500_000  # 5 000 € in cents


def route_departemental(h: dict) -> str:
    """The Charente-du-Nord example charter, transcribed rule by rule."""
    stage = h["stade_procedure"]
    referent = h["service_referent"]
    landlord = h["type_bailleur"]
    commune = h["commune"]
    children = h["enfants_a_charge"]
    benefits = h["prestations_familiales"]
    debt = h["dette_locative"]
    rent = h["loyer_mensuel"]

    # Article 1: follow-up already under way.
    if referent == "departement":
        return "DEPARTEMENT"
    elif referent == "caf" and not stage == "concours_accorde":
        return "CAF"
    elif referent == "msa" and not stage == "concours_accorde":
        return "MSA"
    elif referent == "ccas" and not stage == "concours_accorde":
        return "CCAS"
    elif referent == "bailleur" and not (stage in _JUDICIAL or stage is None):
        return "BAILLEUR_SOCIAL"
    # Article 2: judicial procedure.
    elif stage in _JUDICIAL and not (
            referent in _PARTNER_REFERENTS
            or (referent == "aucun" and commune in CCAS_COMMUNES and stage == "assignation")
            or stage == "concours_accorde"):
        return "DEPARTEMENT"
    elif stage is None and not (referent in _PARTNER_REFERENTS):
        return "DEPARTEMENT"
    elif referent == "aucun" and commune in CCAS_COMMUNES and stage == "assignation":
        return "CCAS"
    # Article 3: police assistance granted.
    elif stage == "concours_accorde" and not (referent == "departement"):
        return "DEPARTEMENT"
    # Article 4: before litigation, every landlord.
    elif referent == "aucun" and stage in _PRE_LITIGATION and debt > _DEBT_THRESHOLD:
        return "CCAPEX"
    elif referent == "aucun" and stage in _PRE_LITIGATION and landlord == "social":
        return "BAILLEUR_SOCIAL"
    elif referent == "aucun" and stage in _PRE_LITIGATION and landlord is None:
        return "DEPARTEMENT"
    # Article 5: before litigation, private landlords, by priority.
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and h["regime"] == "agricole"
          and (h["aide_au_logement"] is None or benefits is None)):
        return "MSA"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and h["regime"] == "agricole" and (h["aide_au_logement"] or benefits)):
        return "MSA"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and h["regime"] == "general" and children >= 1 and benefits is None):
        return "CAF"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and h["regime"] == "general" and children >= 1 and benefits):
        return "CAF"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and commune in CCAS_COMMUNES):
        return "CCAS"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and children == 0 and commune in MOBILE_TEAM_COMMUNES
          and h["connu_services_sociaux"] is not True
          and h["date_signalement"] < _MOBILE_TEAM_START):
        return "DEPARTEMENT"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and children == 0 and commune in MOBILE_TEAM_COMMUNES
          and h["connu_services_sociaux"] is not True):
        return "EQUIPE_MOBILE"
    elif referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive" and rent is None:
        return "DEPARTEMENT"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and rent is not None and debt >= 6 * rent):
        return "DEPARTEMENT"
    elif (referent == "aucun" and stage in _PRE_LITIGATION and landlord == "prive"
          and stage == "commandement_de_payer"):
        return "ADIL"
    # Article 6: every other household.
    else:
        return "DEPARTEMENT"
