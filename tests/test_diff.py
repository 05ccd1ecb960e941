"""Tests of the semantic diff between charter versions: exact regions, checked by brute force."""

from __future__ import annotations

import itertools
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repartition import Charter
from repartition.cli import main
from repartition.diff import REFUSED, NotComparable, outcome_key, compare

from conftest import FICHE

STAGES = [("premier", "s0"), ("deuxième", "s1"), ("troisième", "s2"), ("quatrième", "s3")]


# ---- random small charters, written as rule-language text ---------------------------------

def _atom(rng: random.Random, version: dict) -> str:
    top = version["revenu_max"]
    choices = [
        lambda: f"revenu est au moins {rng.randint(0, top)}",
        lambda: f"revenu est au plus {rng.randint(0, top)}",
        lambda: "revenu est entre {} et {}".format(*sorted((rng.randint(0, top), rng.randint(0, top)))),
        lambda: f"revenu est {rng.randint(0, top)}",
        lambda: f"revenu n'est pas {rng.randint(0, top)}",
        lambda: "situation",
        lambda: "situation est non",
        lambda: f"stade est au moins {STAGES[rng.randint(0, version['stages'] - 1)][0]}",
        lambda: f"stade est {STAGES[rng.randint(0, version['stages'] - 1)][0]}",
        lambda: "stade est parmi " + ", ".join(
            label for label, _ in rng.sample(STAGES[:version["stages"]], 2)),
        lambda: f"revenu est au moins {rng.choice(['2', '1,5', '1'])} fois quantité",
        lambda: f"revenu est plus de {rng.choice(['2', '0,5'])} fois quantité",
        lambda: f"quantité est au plus {rng.randint(0, 3)}",
        lambda: "commune est dans « proches »",
        lambda: f"commune est parmi {rng.randint(1, 3)}, 3",
        lambda: f"commune n'est pas {rng.randint(1, 3)}",
    ]
    if version["unknown"]:
        choices += [lambda: "situation est inconnu", lambda: "situation est connu"]
    if version["option"]:
        choices.append(lambda: "option")
    return rng.choice(choices)()


def _condition(rng: random.Random, version: dict, depth: int = 0) -> str:
    roll = rng.random()
    if depth >= 2 or roll < 0.45:
        return _atom(rng, version)
    if roll < 0.6:
        return f"non ({_condition(rng, version, depth + 1)})"
    word = "et" if roll < 0.8 else "ou"
    return f"({_condition(rng, version, depth + 1)}) {word} ({_condition(rng, version, depth + 1)})"


def _rules(rng: random.Random, version: dict) -> list[dict]:
    rules = []
    for index in range(rng.randint(1, 4)):
        earlier = [r["name"] for r in rules]
        exceptions = rng.sample(earlier, 1) if earlier and rng.random() < 0.4 else []
        rules.append({"name": f"R{index}", "condition": _condition(rng, version),
                      "service": rng.choice("ABC"), "exceptions": exceptions})
    if rng.random() < 0.7:
        rules.append({"name": "Défaut", "condition": None, "service": rng.choice("ABC"), "exceptions": []})
    return rules


def _mutate(rng: random.Random, rules: list[dict], version: dict) -> list[dict]:
    rules = [dict(r) for r in rules]
    ordinary = [r for r in rules if r["condition"] is not None]
    kind = rng.randrange(4)
    if kind == 0 and ordinary:
        rng.choice(ordinary)["service"] = rng.choice("ABC")
    elif kind == 1 and ordinary:
        rng.choice(ordinary)["condition"] = _condition(rng, version)
    elif kind == 2:
        rules.insert(0, {"name": "Nouvelle", "condition": _condition(rng, version),
                         "service": rng.choice("ABC"), "exceptions": []})
    return rules


def _text(version: dict, rules: list[dict]) -> str:
    unknown = ", peut être inconnu" if version["unknown"] else ""
    stages = ", ".join(f"{label} [{machine}]" for label, machine in STAGES[:version["stages"]])
    lines = [
        "charte « Essai »", f"version {version['number']}", "",
        "services", "  A : « Service A »", "  B : « Service B »", "  C : « Service C »", "",
        "données du ménage",
        f"  revenu [revenu] : nombre entier entre 0 et {version['revenu_max']}",
        f"  situation [situation] : oui ou non{unknown}",
        f"  stade [stade] : étape parmi ({stages})",
        "  quantité [quantite] : nombre entier entre 0 et 3",
        "  commune [commune] : code",
    ]
    if version["option"]:
        lines.append("  option [option] : oui ou non, par défaut non")
    lines += ["", "ensemble « proches » : " + ", ".join(version["proches"])]
    for rule in rules:
        head = f"règle « {rule['name']} »"
        if rule["exceptions"]:
            head += ", par exception à " + " et ".join(f"« {e} »" for e in rule["exceptions"])
        lines += ["", head]
        if rule["condition"] is None:
            lines.append(f"  dans tous les autres cas, {rule['service']}")
        else:
            lines += [f"  si {rule['condition']}", f"  alors {rule['service']}"]
    return "\n".join(lines) + "\n"


def _pair(seed: int) -> tuple[str, str, dict, dict]:
    rng = random.Random(seed)
    old = {"number": 1, "revenu_max": 3, "stages": 3, "unknown": rng.random() < 0.5, "option": False,
           "proches": ("1", "2")}
    new = dict(old, number=2)
    if rng.random() < 0.3:
        new["proches"] = ("2", "3")
    if rng.random() < 0.3:
        new["revenu_max"] = 4
    if rng.random() < 0.3:
        new["stages"] = 4
    if rng.random() < 0.3 and not old["unknown"]:  # old rules may test « est inconnu »
        new["unknown"] = True
    if rng.random() < 0.3:
        new["option"] = True
    old_rules = _rules(rng, old)
    changed = new != dict(old, number=2)
    if rng.random() < 0.5 and not changed:
        new_rules = _mutate(rng, old_rules, new)
    elif rng.random() < 0.5:
        new_rules = [dict(r) for r in old_rules] if changed else _mutate(rng, old_rules, new)
    else:
        new_rules = _rules(rng, new)
    return _text(old, old_rules), _text(new, new_rules), old, new


def _households(old: dict, new: dict):
    """Every household of the union of both versions' domains."""
    revenus = range(0, max(old["revenu_max"], new["revenu_max"]) + 1)
    situations = [True, False] + ([None] if old["unknown"] or new["unknown"] else [])
    stages = [machine for _, machine in STAGES[:max(old["stages"], new["stages"])]]
    options = [True, False] if old["option"] or new["option"] else [None]
    for revenu, situation, stade, quantite, option, commune in itertools.product(
            revenus, situations, stages, range(4), options, ("1", "2", "3", "9")):
        household = {"revenu": revenu, "situation": situation, "stade": stade, "quantite": quantite,
                     "commune": commune}
        if option is not None:
            household["option"] = option
        yield household


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9), st.booleans())
def test_diff_matches_brute_force(seed, by_rule):
    """On random small charter pairs, the diff's regions hold exactly the households that change."""
    old_text, new_text, old_decl, new_decl = _pair(seed)
    old = Charter.from_text(old_text, name="ancienne.regles", verify=False, engine="interprete")
    new = Charter.from_text(new_text, name="nouvelle.regles", verify=False, engine="interprete")
    result = compare(old, new, by_rule=by_rule, simplify=seed % 2 == 0)
    assert all(d.checked for d in result.differences)
    changed = 0
    for household in _households(old_decl, new_decl):
        before, after = outcome_key(old, household, by_rule), outcome_key(new, household, by_rule)
        found = result.difference_for(household)
        if before == after:
            assert found is None, (household, found)
        else:
            changed += 1
            assert found is not None, (household, before, after)
            assert (found.old, found.new) == (before, after)
    assert result.equivalent == (changed == 0)


# ---- the bundled charter and hand-written pairs ---------------------------------------------

def _fiche_text() -> str:
    return FICHE.read_text(encoding="utf-8")


def _revised_fiche() -> str:
    """The fiche with the judicial procedure starting one stage earlier and a stage added."""
    text = _fiche_text().replace("version 2018.1", "version 2019.1")
    text = text.replace("le stade de la procédure est au moins assignation",
                        "le stade de la procédure est au moins commandement de payer")
    text = text.replace("concours accordé [concours_accorde])",
                        "concours accordé [concours_accorde],\n      expulsion)")
    assert "expulsion)" in text and "au moins commandement de payer" in text
    return text


def test_fiche_is_equivalent_to_itself():
    """A charter compared with itself has no difference."""
    fiche = Charter.from_text(_fiche_text(), name="fiche.regles", verify=False)
    result = compare(fiche, fiche)
    assert result.equivalent
    assert result.services() == {"CAF": {"verdict": "inchangé", "gagne": [], "perd": []},
                                 "DEPARTEMENT": {"verdict": "inchangé", "gagne": [], "perd": []}}


def test_revised_fiche_regions_and_verdicts():
    """The revision moves allocataire families at the commandement de payer to the Département."""
    old = Charter.from_text(_fiche_text(), name="ancienne.regles", verify=False)
    new = Charter.from_text(_revised_fiche(), name="nouvelle.regles", verify=False)
    result = compare(old, new)
    texts = [(d.text, d.old, d.new) for d in result.differences]
    assert texts == [
        ("enfants à charge au moins 1, aide au logement : oui, stade de la procédure : "
         "commandement de payer", ("decision", "CAF"), ("decision", "DEPARTEMENT")),
        ("stade de la procédure : expulsion", (REFUSED,), ("decision", "DEPARTEMENT")),
    ]
    assert all(d.checked for d in result.differences)
    assert result.differences[0].household["stade_procedure"] == "commandement_de_payer"
    assert result.notes == ["valeurs ajoutées à « stade de la procédure » : expulsion"]
    verdicts = result.services()
    assert verdicts["CAF"] == {"verdict": "perd des ménages", "gagne": [], "perd": [1]}
    assert verdicts["DEPARTEMENT"]["verdict"] == "gagne des ménages"


def test_by_rule_sees_rule_changes_with_the_same_service():
    """With by_rule, households keeping their service but not their deciding rule are reported."""
    old = Charter.from_text(_fiche_text(), name="ancienne.regles", verify=False)
    new = Charter.from_text(_revised_fiche(), name="nouvelle.regles", verify=False)
    by_service = compare(old, new)
    by_rule = compare(old, new, by_rule=True)
    assert len(by_rule.differences) > len(by_service.differences)
    assert any(d.old[1] == d.new[1] == "DEPARTEMENT" and d.old[2] == "Autres ménages"
               and d.new[2] == "Procédure judiciaire" for d in by_rule.differences)


_DEBTS = """charte « Dettes »
version {version}

services
  CAF : « CAF »
  DEP : « Département »

données du ménage
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros d'au moins 0
{extra}
règle « Grosse dette »
  si {condition}
  alors DEP

règle « Autres »
  dans tous les autres cas, CAF
"""


def _debts(version, condition, extra=""):
    return Charter.from_text(_DEBTS.format(version=version, condition=condition, extra=extra),
                             name=f"v{version}.regles", verify=False)


def test_ratio_thresholds_are_exact_to_the_cent():
    """Lowering « 6 fois » to « 4,5 fois » changes exactly the households in between."""
    old = _debts(1, "la dette est au moins 6 fois le loyer")
    new = _debts(2, "la dette est au moins 4,5 fois le loyer")
    result = compare(old, new)
    (difference,) = result.differences
    assert difference.text == "dette moins de 6 fois loyer, dette au moins 4,5 fois loyer"
    assert difference.checked
    assert result.difference_for(difference.household) is difference  # the example, read back
    for dette, loyer, inside in [("450.00", "100.00", True), ("599.99", "100.00", True),
                                 ("600.00", "100.00", False), ("449.99", "100.00", False),
                                 ("4.50", "1.00", True)]:
        found = result.difference_for({"dette": dette, "loyer": loyer})
        assert (found is not None) == inside, (dette, loyer)


def test_added_field_with_default_is_compared():
    """A field added with a default is part of the common domain; the old version ignores it."""
    old = _debts(1, "la dette est au moins 6 fois le loyer")
    new = _debts(2, "la dette est au moins 6 fois le loyer et non accompagné",
                 extra="  accompagné [accompagne] : oui ou non, par défaut non\n")
    result = compare(old, new)
    (difference,) = result.differences
    assert difference.text == "accompagné : oui, dette au moins 6 fois loyer"
    assert (difference.old, difference.new) == (("decision", "DEP"), ("decision", "CAF"))
    assert result.notes == ["donnée ajoutée : accompagné [accompagne], valeur par défaut non ; "
                            "l'ancienne version l'ignore"]


def test_field_changing_type_is_not_comparable():
    """A field whose type changes between versions makes the comparison impossible, said why."""
    old = _debts(1, "la dette est au moins 6 fois le loyer")
    new = Charter.from_text(_DEBTS.format(version=2, condition="la dette est au moins 600",
                                          extra="").replace("dette [dette] : montant en euros",
                                                            "dette [dette] : nombre entier"),
                            name="v2.regles", verify=False)
    with pytest.raises(NotComparable, match="« dette » n'a pas le même type"):
        compare(old, new)


def test_cli_says_why_versions_cannot_be_compared(tmp_path, capsys):
    """`comparer` exits 2 with the French reason when a field changes type between versions."""
    old, new = tmp_path / "v1.regles", tmp_path / "v2.regles"
    old.write_text(_DEBTS.format(version=1, condition="la dette est au moins 600", extra=""), encoding="utf-8")
    new.write_text(_DEBTS.format(version=2, condition="la dette est au moins 600", extra="")
                   .replace("dette [dette] : montant en euros", "dette [dette] : nombre entier"),
                   encoding="utf-8")
    assert main(["comparer", str(old), str(new)]) == 2
    assert "« dette » n'a pas le même type dans les deux versions" in capsys.readouterr().err


def test_cli_exit_codes_and_json(tmp_path, capsys):
    """`comparer` exits 0 when equivalent, 1 with the differences (text or JSON), 2 on errors."""
    old, new = tmp_path / "ancienne.regles", tmp_path / "nouvelle.regles"
    old.write_text(_fiche_text(), encoding="utf-8")
    new.write_text(_revised_fiche(), encoding="utf-8")
    assert main(["comparer", str(old), str(old)]) == 0
    assert "équivalentes" in capsys.readouterr().out
    assert main(["comparer", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "  CAF → DEPARTEMENT :\n    1. enfants à charge au moins 1, aide au logement : oui, " \
           "stade de la procédure : commandement de payer\n       exemple : {" in out
    assert "  refusé → DEPARTEMENT :\n    2. stade de la procédure : expulsion\n" in out
    assert "CAF : perd des ménages (groupes 1)" in out
    assert main(["comparer", str(old), str(new), "--regles", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["critere"] == "regle" and not data["equivalentes"]
    assert all(d["verifie"] for d in data["differences"])
    assert main(["comparer", str(old), str(tmp_path / "absente.regles")]) == 2
    assert "impossible de lire la charte" in capsys.readouterr().err


_DATES = """charte « Dates »
version 1

services
  A : « a »
  B : « b »

données du ménage
  date du signalement [date_signalement] : date
  urgent [urgent] : oui ou non

règle « Urgence »
  si {condition}
  alors {service}

règle « Autres »
  dans tous les autres cas, B
"""


def test_dates_are_described_as_days_and_witnessed():
    """Date thresholds read as « avant le … » / « à partir du … »; an unconstrained date still gets a real day."""
    old = Charter.from_text(_DATES.format(condition="urgent", service="A"), name="a", verify=False)
    new = Charter.from_text(_DATES.format(condition="urgent et la date du signalement est après le "
                                          "1er mars 2026", service="A"), name="b", verify=False)
    (difference,) = compare(old, new).differences
    assert difference.text == "date du signalement avant le 2 mars 2026, urgent : oui"
    assert difference.household == {"date_signalement": "2026-03-01", "urgent": True}
    swapped = Charter.from_text(_DATES.format(condition="urgent", service="B"), name="c", verify=False)
    (difference,) = compare(old, swapped).differences
    assert difference.text == "urgent : oui" and difference.checked


def test_too_many_cases_is_not_comparable():
    """When the split exceeds its budget, the comparison stops and says why instead of guessing."""
    old = Charter.from_text(_fiche_text(), name="ancienne.regles", verify=False)
    new = Charter.from_text(_revised_fiche(), name="nouvelle.regles", verify=False)
    with pytest.raises(NotComparable, match="plus de 3 cas à examiner"):
        compare(old, new, budget=3)


def test_tidying_a_finished_comparison_does_not_spend_its_budget():
    """A budget that suffices for the comparison suffices with the regions merged and widened too."""
    old = Charter.from_text(_fiche_text(), name="ancienne.regles", verify=False)
    new = Charter.from_text(_revised_fiche(), name="nouvelle.regles", verify=False)
    exact = compare(old, new, simplify=False)
    tidy = compare(old, new, budget=exact.regions_explored)
    assert tidy.regions_explored == exact.regions_explored
    assert len(tidy.differences) <= len(exact.differences)


def test_changed_declarations_are_noted_with_old_and_new():
    """Bounds, defaults and unknowns of a field that changed are noted with both versions' values."""
    old = Charter.from_text(_fiche_text(), name="ancienne.regles", verify=False)
    text = _fiche_text().replace("nombre entier d'au moins 0", "nombre entier entre 0 et 20")
    text = text.replace("[aide_au_logement] : oui ou non", "[aide_au_logement] : oui ou non, peut être inconnu")
    text = text.replace("[connu_services_sociaux] : oui ou non", "[connu_services_sociaux] : oui ou non, par défaut non")
    new = Charter.from_text(text, name="nouvelle.regles", verify=False)
    assert compare(old, new).notes == [
        "bornes de « enfants à charge » : d'au moins 0 → entre 0 et 20",
        "« aide au logement » peut désormais être inconnu",
        "valeur par défaut de « connu des services sociaux » : aucune → non",
    ]


def test_a_changed_code_shape_is_noted():
    """A code that declares a shape in one version only: the versions compare over every code, and
    the notes say that codes without the shape are refused by the version that declares it."""
    text = """charte « Codes »
services
  A : « a »
  B : « b »
données du ménage
  commune [commune] : {}
règle « Corse »
  si la commune est parmi 2A004, 2B033 alors A
règle « Autres »
  sinon B
"""
    old = Charter.from_text(text.format("code"), name="ancienne.regles", verify=False)
    new = Charter.from_text(text.format("code commune"), name="nouvelle.regles", verify=False)
    result = compare(old, new)
    assert result.notes == ["forme des codes de « commune » : code → code commune ; un code qui n'a pas la "
                            "forme d'une version y est refusé"]
    assert compare(new, new).notes == []
