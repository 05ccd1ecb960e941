"""Properties: the compiler agrees with the interpreter everywhere; any text parses or fails cleanly."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition import CharterError, InvalidHousehold, NoDecision
from repartition.dsl import codegen

from conftest import POLICIES

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(charter, household):
    """What routing says, in comparable form: the decision's parts, or the error's kind and rules."""
    try:
        d = charter.route(household)
    except NoDecision as error:
        return ("non", error.kind, error.rules)
    except InvalidHousehold as error:
        return ("invalide", error.field)
    return (d.service, d.unit, d.rules, d.set_aside, d.facts, d.assumed, d.indicators, d.explanation, d.partners)


# ---- random small charters -----------------------------------------------------------------------

HEAD = """charte « Aléatoire »
services
  A : « a »
  B : « b »
  C : « c »
données du ménage
  p [p] : oui ou non, peut être inconnu
  q [q] : oui ou non
  n [n] : nombre entier entre 0 et 6
  s [s] : étape parmi (e0, e1, e2, e3), peut être inconnu
  k [k] : valeur parmi (rouge, vert, bleu), par défaut vert
  dette [dette] : montant en euros d'au moins 0, peut être inconnu
  loyer [loyer] : montant en euros entre 1 et 1000, peut être inconnu
  charges [charges] : montant en euros d'au moins 0
  impayé [impaye] : date, peut être inconnu
  signalement [signalement] : date
"""

_atoms = st.one_of(
    st.sampled_from(["p", "q", "non p", "p est inconnu", "p est connu", "s est inconnu",
                     "dette est connue", "k est vert", "k n'est pas rouge"]),
    st.builds("n est au moins {}".format, st.integers(0, 6)),
    st.builds("n est plus de {}".format, st.integers(0, 6)),
    st.builds("n est {}".format, st.integers(0, 6)),
    st.builds("n est parmi {}, {}".format, st.integers(0, 6), st.integers(0, 6)),
    st.builds("la dette est parmi {} €, 600 €".format, st.sampled_from(["0", "100", "99,99"])),
    st.builds("s est au moins e{}".format, st.integers(0, 3)),
    st.builds("s est entre e{} et e3".format, st.integers(0, 3)),
    st.builds("s est parmi e{}, e3".format, st.integers(0, 2)),
    st.builds("la dette est au moins {} fois le loyer".format, st.sampled_from(["1", "2", "1,5", "6"])),
    st.builds("la dette est plus de {} €".format, st.sampled_from(["0", "100", "99,99", "1 000"])),
    st.sampled_from(["la dette est au moins 2 fois la somme du loyer et des charges",
                     "la somme du loyer et des charges est supérieure à 600 €", "la dette ≥ 1,5 fois le loyer",
                     "(n est supérieur ou égal à deux et ≤ 5)", "(la dette est au-delà de 2 000 ou est inconnue)",
                     "impayé est au moins 1 mois avant signalement", "signalement est plus de 30 jours après impayé",
                     "impayé est moins de deux ans avant signalement", "impayé est avant signalement",
                     "impayé est 1 mois avant signalement"]),
)
_conditions = st.recursive(
    _atoms,
    lambda inner: st.one_of(
        st.builds("({} et {})".format, inner, inner),
        st.builds("({} ou {})".format, inner, inner),
        st.builds("non ({})".format, inner),
    ),
    max_leaves=4,
)


@st.composite
def charters(draw):
    count = draw(st.integers(1, 5))
    lines = [HEAD]
    for i in range(count):
        earlier = list(range(i))
        targets = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        exceptions = ", par exception à " + " et ".join(f"« R{t} »" for t in targets) if targets else ""
        partners = draw(st.sampled_from(["", ", en lien avec C", ", en lien avec A et C"]))
        service = draw(st.sampled_from([code for code in "ABC" if code not in partners]))
        lines.append(f"règle « R{i} »{exceptions}\n  si {draw(_conditions)}\n  alors {service}{partners}\n")
    if draw(st.booleans()):
        lines.append(f"règle « Défaut »\n  sinon {draw(st.sampled_from('ABC'))}\n")
    lines.append("indicateur « i » : " + draw(_conditions) + "\n")
    return "\n".join(lines)


_money = st.one_of(st.none(), st.integers(0, 200_000).map(lambda c: f"{c // 100},{c % 100:02d}"),
                   st.sampled_from(["600,00", "600,01", "599,99", "150,00", "100,00"]))
households = st.fixed_dictionaries(
    {
        "p": st.sampled_from([True, False, None, "oui", "non", ""]),
        "q": st.booleans(),
        "n": st.integers(0, 6),
        "s": st.sampled_from([None, "e0", "e1", "e2", "e3", "E2", ""]),
        "dette": _money,
        "loyer": st.sampled_from(["100", "100,00", "300,01", "1", "1000", None]),
        "charges": st.sampled_from(["0", "50", "100,01"]),
        "impaye": st.sampled_from([None, "2024-01-31", "2023-11-30", "2024-02-29", "2023-12-31"]),
        "signalement": st.sampled_from(["2024-02-29", "2024-02-28", "2024-03-01", "2025-02-28", "2024-01-31"]),
    },
    optional={"k": st.sampled_from(["rouge", "vert", "bleu", "Bleu"])},
)


@pytest.mark.parametrize("form", ["arbre", "lineaire"])
@_SETTINGS
@given(text=charters(), batch=st.lists(households, min_size=1, max_size=8))
def test_compiled_equals_interpreted_on_random_charters(form, text, batch):
    """On random charters and households, both backends give the same decision or the same error,
    whether the compiled code is a decision tree or evaluates every rule (past the tree's budget)."""
    with mock.patch.object(codegen, "MAX_TREE_NODES", codegen.MAX_TREE_NODES if form == "arbre" else 0):
        compiled = repartition.Charter.from_text(text, name="a.regles", verify=False)
    assert form == "arbre" or compiled._backend.strategy == "lineaire"
    interpreted = repartition.Charter.from_text(text, name="a.regles", verify=False, engine="interprete")
    for household in batch:
        assert _outcome(compiled, household) == _outcome(interpreted, household)


@st.composite
def exception_chains(draw):
    """Random charters where most rules are exceptions, often to the rule just before (chains), and
    most name one service (a decision then often has rules that might decide as well); conditions
    read a definition, under « non » too."""
    count = draw(st.integers(2, 7))
    lines = [HEAD, f"définition « fragile » : {draw(_conditions)}\n"]
    conditions = st.one_of(_conditions, st.sampled_from(["fragile", "non fragile"]),
                           st.builds("(fragile ou {})".format, _conditions),
                           st.builds("non (fragile et {})".format, _conditions))
    for i in range(count):
        targets = set(draw(st.lists(st.sampled_from(range(i)), max_size=3))) if i else set()
        if i and draw(st.booleans()):
            targets.add(i - 1)
        exceptions = ", par exception à " + " et ".join(f"« R{t} »" for t in sorted(targets)) if targets else ""
        lines.append(f"règle « R{i} »{exceptions}\n  si {draw(conditions)}\n  alors {draw(st.sampled_from('AAB'))}\n")
    if draw(st.booleans()):
        lines.append(f"règle « Défaut »\n  sinon {draw(st.sampled_from('AB'))}\n")
    return "\n".join(lines)


@pytest.mark.parametrize("form", ["arbre", "arbre, plans non resserrés", "arbre sans plans", "lineaire"])
@_SETTINGS
@given(text=exception_chains(), batch=st.lists(households, min_size=1, max_size=8))
def test_set_aside_rules_equal_brute_force(form, text, batch):
    """The rules set aside, read from only the conditions a decision leaves open, are those of every
    condition evaluated, on both backends, also when plans are not narrowed to the tree's leaves or
    planning is past its budget (every condition read)."""
    with mock.patch.object(codegen, "MAX_TREE_NODES", 0 if form == "lineaire" else codegen.MAX_TREE_NODES), \
            mock.patch.object(codegen, "_ASIDE_WORK", 0 if form == "arbre sans plans" else codegen._ASIDE_WORK), \
            mock.patch.object(codegen, "_NARROW_WORK", 0 if form.endswith("non resserrés") else codegen._NARROW_WORK):
        compiled = repartition.Charter.from_text(text, name="a.regles", verify=False)
    interpreted = repartition.Charter.from_text(text, name="a.regles", verify=False, engine="interprete")
    for household in batch:
        try:
            decision = interpreted.route(household)
        except (NoDecision, InvalidHousehold):
            continue
        every = interpreted._semantics.set_aside(interpreted._backend.conditions(decision._values))
        names = tuple(interpreted.rules[r].name for r in every)
        assert compiled.route(household).set_aside == decision.set_aside == names


# ---- the bundled charters -------------------------------------------------------------------------

fiche_households = st.fixed_dictionaries({
    "enfants_a_charge": st.one_of(st.integers(0, 8), st.sampled_from(["0", "1", " 3 "])),
    "aide_au_logement": st.sampled_from([True, False, "oui", "non", "1", "0", "Vrai"]),
    "stade_procedure": st.sampled_from([
        "aucune", "commandement_de_payer", "assignation", "jugement",
        "commandement_de_quitter_les_lieux", "demande_de_concours", "concours_accorde",
        "Assignation", "concours accordé"]),
    "connu_services_sociaux": st.booleans(),
})


@_SETTINGS
@given(fiche_households)
def test_fiche_routes_every_household_identically(household):
    """The fiche 3-4 charter gives every household exactly one service, the same on both backends."""
    compiled = repartition.load_charter(POLICIES / "dispositif-repartition.regles")
    interpreted = repartition.load_charter(POLICIES / "dispositif-repartition.regles", engine="interprete")
    result = _outcome(compiled, household)
    assert result[0] in ("CAF", "DEPARTEMENT")
    assert result == _outcome(interpreted, household)


_PIECES = ["charte ", "règle ", "si ", " alors ", " et ", " ou ", "non ", " est ", "au moins ",
           "services\n", "données du ménage\n", " : oui ou non", "« R »", "« T »", "CAF", " : ",
           "sinon ", "exemple ", "attendu ", " fois ", "x ", "3", "2A004", ", ", "(", ")", "#c\n",
           "\n", "définition ", "table ", "[x]", "étape parmi (a, b)", "peut être inconnu", "»", "«",
           "5 000 €", "1er janvier 2026", "par exception à ", "dans « R »", "la somme du ", " et des ",
           "≥ ", "supérieure à ", "3 mois avant ", " en lien avec ", "au-delà de ", "2 000", "trois fois "]
_texts = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_any_text_parses_or_raises_charter_error(text):
    """Any text either loads or raises CharterError — never a Lark exception or a Python crash."""
    try:
        repartition.Charter.from_text(text, name="fuzz.regles")
    except CharterError as error:
        # Every message is located in the file (or says the file is empty) and written in French.
        assert all(d.span is not None and d.span.file == "fuzz.regles" or "charte" in d.message
                   for d in error.diagnostics), str(error)
