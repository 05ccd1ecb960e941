"""Corrections proposed by the proof: each choice, written into the charter, settles its problem and
changes exactly what it says (checked by proving again and by enumerating every household)."""

from __future__ import annotations

import itertools
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition.cli import main
from repartition.proof import verify
from repartition.proof.regions import Explorer, contains
from repartition.render import verdict

from conftest import ROOT
from test_proof_bruteforce import charters, date_charters

FAULTY = ROOT / "tests" / "corpus" / "faulty"


def _charter(text: str):
    return repartition.Charter.from_text(text, name="c.regles", verify=False, engine="interprete")


def _apply(text: str, choice) -> str:
    """The charter text with a choice written as it says: a new head, a condition's new start, or a
    rule added at the end."""
    if choice.line is None:
        return text.rstrip("\n") + "\n\n" + choice.code + "\n"
    lines = text.splitlines()
    line = lines[choice.line - 1]
    if choice.code.startswith("règle "):
        lines[choice.line - 1] = choice.code
    else:  # « si X est connu et … »: the current condition after it, in brackets if the code says so
        start = choice.code.removeprefix("si ").removesuffix("(…)").removesuffix("…")
        head, rest = line.split("si ", 1)
        rest = f"({rest})" if choice.code.endswith("(…)") else rest
        lines[choice.line - 1] = f"{head}si {start}{rest}"
    return "\n".join(lines) + "\n"


def _problems(text: str, kind: str):
    return [p for p in verify(_charter(text)).problems if p.kind == kind]


def _route(text: str, household: dict) -> str:
    try:
        return _charter(text).route(household).service
    except repartition.NoDecision as error:
        return f"non orientés ({error.LABELS[error.kind]})"


# ---- conflicts ----------------------------------------------------------------------------------

def test_a_conflict_proposes_each_exception_clause_with_its_effect():
    """Either rule may win: the exact head to write on its line, and where its households then go."""
    text = (FAULTY / "conflit.regles").read_text(encoding="utf-8")
    (problem,) = _problems(text, "conflit")
    correction = problem.correction
    assert correction.kind == "exception"
    assert [(c.line, c.code) for c in correction.choices] == [
        (16, "règle « Familles allocataires », par exception à « Procédure judiciaire »"),
        (20, "règle « Procédure judiciaire », par exception à « Familles allocataires »"),
    ]
    for choice, service in zip(correction.choices, ("CAF", "DEPARTEMENT")):
        (effect,) = choice.effects
        assert (effect.region, effect.before, effect.after) == (problem.region, "non orientés (conflit)", service)
        assert choice.complete
        fixed = _apply(text, choice)
        assert not _problems(fixed, "conflit")
        assert _route(fixed, problem.example) == service


_TRANSITIVE = """charte « Effets de bord »
services
  CAF : « CAF »
  DEPARTEMENT : « Département »
  CCAPEX : « CCAPEX »
données du ménage
  aide au logement [aide] : oui ou non
  enfants à charge [enfants] : nombre entier d'au moins 0
  dette [dette] : montant en euros d'au moins 0
règle « Dette lourde »
  si la dette est plus de 1 000 €
  alors CCAPEX
règle « Familles », par exception à « Dette lourde »
  si les enfants à charge sont au moins 1
  alors DEPARTEMENT
règle « Allocataires »
  si aide au logement
  alors CAF
règle « Autres »
  dans tous les autres cas, DEPARTEMENT
"""


def test_an_exception_that_reaches_further_says_so():
    """« Dette lourde » set aside by « Familles »: making it win over « Allocataires » also makes
    « Familles » win over it (exceptions pass on), which settles the other conflict too; said, with
    a household that shows it."""
    first, _ = _problems(_TRANSITIVE, "conflit")
    choice = first.correction.choices[0]
    assert choice.code == "règle « Dette lourde », par exception à « Allocataires »"
    inside, further = choice.effects
    assert (inside.region, inside.after) == (first.region, "CCAPEX")
    assert (further.region, further.before, further.after) == (
        "aide au logement : oui, enfants à charge au moins 1", "non orientés (conflit)", "DEPARTEMENT")
    fixed = _apply(_TRANSITIVE, choice)
    assert _route(_TRANSITIVE, further.example) == "non orientés (conflit)"
    assert _route(fixed, further.example) == "DEPARTEMENT"
    assert "rien d'autre ne change" in first.render()


# ---- gaps ---------------------------------------------------------------------------------------

def test_a_gap_proposes_a_rule_whose_condition_is_its_region():
    """Each hole gets a drafted rule that parses, is in canonical layout and, added, closes it."""
    text = (FAULTY / "lacune.regles").read_text(encoding="utf-8")
    gaps = _problems(text, "lacune")
    assert len(gaps) == 2
    first = gaps[0].correction.choices[0]
    assert first.action == "pour ces ménages seulement, ajoutez par exemple (avec le service choisi au lieu de CAF) :"
    assert first.services == ("CAF", "DEPARTEMENT", "CCAPEX")
    assert first.code == (
        "règle « Ménages sans service »\n"
        "  si les enfants à charge sont 0 et le stade de la procédure est au plus commandement de payer\n"
        "     ou non aide au logement et le stade de la procédure est au plus commandement de payer\n"
        "  alors CAF")
    assert gaps[1].correction.choices[0].code.startswith("règle « Ménages sans service (2) »")
    fixed = text
    for count, gap in enumerate(gaps, 1):
        fixed = _apply(fixed, gap.correction.choices[0])
        assert len(_problems(fixed, "lacune")) == len(gaps) - count
        assert _route(fixed, gap.example) == "CAF"
    from repartition.dsl.formatter import format_text

    assert first.code in format_text(_apply(text, first))


def test_a_gap_over_codes_and_dates_reads_like_a_rule():
    """Named sets, dates: the draft says « n'est pas dans « … » », « est avant le … »."""
    text = (FAULTY / "codes-et-dates.regles").read_text(encoding="utf-8")
    (gap,) = _problems(text, "lacune")
    choice, _ = gap.correction.choices
    assert "  si la commune n'est pas dans « communes CCAS »\n     et la date du signalement est avant le 1er mars 2026\n" \
        in choice.code
    assert not _problems(_apply(text, choice), "lacune")


def test_a_gap_may_also_be_closed_by_a_default_rule():
    """Every gap also proposes « dans tous les autres cas », with all it changes; a charter whose only
    rule never applies gets that alone (its gap is everyone)."""
    text = (FAULTY / "lacune.regles").read_text(encoding="utf-8")
    gaps = _problems(text, "lacune")
    default = gaps[0].correction.choices[-1]
    assert default is gaps[1].correction.choices[-1]
    assert default.code == "règle « Autres ménages »\n  dans tous les autres cas, CAF"
    assert [e.region for e in default.effects] == [gaps[0].region + " ; ou " + gaps[1].region] or len(default.effects) == 1
    assert not _problems(_apply(text, default), "lacune")
    never = ("charte « C »\nservices\n  CAF : « c »\ndonnées du ménage\n  aide [aide] : oui ou non\n"
             "règle « A »\n  si aide et non aide\n  alors CAF\n")
    (gap,) = _problems(never, "lacune")
    (choice,) = gap.correction.choices
    assert [(e.region, e.before, e.after) for e in choice.effects] == [("tous les ménages", "non orientés (lacune)", "CAF")]
    assert not _problems(_apply(never, choice), "lacune")


# ---- undetermined cases -------------------------------------------------------------------------

def test_an_undetermined_case_says_which_data_to_test_or_declare():
    """Test it in the rule that might apply, or give its case a rule, or declare it always known."""
    text = (FAULTY / "indetermination.regles").read_text(encoding="utf-8")
    (problem,) = _problems(text, "indetermination")
    correction = problem.correction
    test, rule = correction.choices
    assert (test.line, test.code) == (13, "si aide au logement est connu et …")
    assert [(e.before, e.after) for e in test.effects] == [("non orientés (indétermination)", "DEPARTEMENT")]
    assert rule.code == ("règle « Aide au logement inconnu », par exception à « Familles allocataires »\n"
                         "  si les enfants à charge sont au moins 1 et aide au logement est inconnu\n"
                         "  alors CAF")
    assert "retirez « peut être inconnu » de sa déclaration (ligne 10)" in correction.note
    for choice, service in ((test, "DEPARTEMENT"), (rule, "CAF")):
        fixed = _apply(text, choice)
        assert verify(_charter(fixed)).ok
        assert _route(fixed, problem.example) == service


# ---- reports ------------------------------------------------------------------------------------

def test_the_json_report_carries_the_correction(capsys):
    """`verifier --format json`: each choice with its code, line and effects, as data."""
    assert main(["verifier", "--format", "json", str(FAULTY / "conflit.regles")]) == 1
    (problem,) = json.loads(capsys.readouterr().out)["problemes"]
    correction = problem["correction"]
    assert correction["type"] == "exception"
    assert correction["choix"][0]["ecrire"] == "règle « Familles allocataires », par exception à « Procédure judiciaire »"
    assert correction["choix"][0]["ligne"] == 16
    assert correction["choix"][0]["effets"][0]["apres"] == "CAF"
    assert correction["choix"][0]["effets"][0]["exemple"] == problem["exemple"]


def test_the_text_report_and_the_reviewers_verdict_show_it(capsys):
    """The text report lists the choices under « pour corriger »; the verdict carries them too."""
    path = FAULTY / "indetermination.regles"
    assert main(["verifier", str(path)]) == 1
    out = capsys.readouterr().out
    assert "  pour corriger : dites ce que devient le ménage quand on ignore « aide au logement » :" in out
    assert "         si aide au logement est connu et …" in out
    (finding,) = verdict(repartition.load_charter(path, verify=False)).problems
    assert finding.correction.startswith("dites ce que devient le ménage quand on ignore « aide au logement » : (1)")


def test_a_failed_load_says_how_to_fix():
    """CharterNotProven's message carries the correction too."""
    text = (FAULTY / "conflit.regles").read_text(encoding="utf-8")
    try:
        repartition.Charter.from_text(text, name="conflit.regles")
    except repartition.CharterNotProven as error:
        assert "pour corriger : dites quelle règle l'emporte" in str(error)
        assert "règle « Procédure judiciaire », par exception à « Familles allocataires »" in str(error)
    else:  # pragma: no cover
        raise AssertionError("the conflict was not reported")


# ---- every choice, against every household -------------------------------------------------------

def _outcomes(charter, domains) -> dict:
    semantics, backend = charter._semantics, charter._backend
    found = {}
    for values in itertools.product(*domains):
        outcome = semantics.resolve(backend.conditions(values))
        found[values] = (outcome.service if outcome.kind == "decision"
                         else f"non orientés ({repartition.NoDecision.LABELS[outcome.kind]})")
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(charters())
def test_every_choice_changes_exactly_what_it_says(drawn):
    """On random small charters, each choice of each correction, written into the text, changes the
    outcome of exactly the households its effects name (same before and after), and settles its
    problem: a drafted rule sends exactly the problem's households to its service."""
    _check_choices(*drawn)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(charters(required=("d", "l", "h")), date_charters()))
def test_drafts_over_sums_and_durations_parse_and_change_what_they_say(drawn):
    """Charters comparing sums, multiples and durations between dates: every drafted rule parses and,
    written into the charter, sends exactly its region to its service (the regions the language
    cannot say get a note instead, see below)."""
    text, domains = drawn
    # The windows of dates around month ends are not every date: a region an effect names may hold
    # none of their households (its own household is routed through both charters all the same).
    _check_choices(text, domains, every_household=text.startswith("charte « Aléatoire »"))


def _check_choices(text: str, domains, every_household: bool = True) -> None:
    charter = _charter(text)
    before = _outcomes(charter, domains)
    domain = Explorer(charter.model).domain
    for problem in verify(charter).problems:
        if problem.correction is None:
            continue
        region = {v for v in before if any(contains(domain, r, f, v) for r, f in problem.boxes)}
        for choice in problem.correction.choices:
            fixed = _apply(text, choice)
            after = _outcomes(_charter(fixed), domains)
            changed = {v: (before[v], after[v]) for v in before if before[v] != after[v]}
            if choice.code.startswith("si "):  # testing a value settles the example's part of the region
                assert _route(text, problem.example) != _route(fixed, problem.example)
            else:  # an exception clause or a drafted rule settles the whole region
                assert region <= set(changed)
            if not choice.line and choice.code.startswith("règle ") and "dans tous les autres cas" not in choice.code:
                service = re.search(r"alors (\w+)$", choice.code)[1]
                # (Around month ends, the windows of dates may hold no household of the region.)
                assert set(changed) == region and {a for _, a in changed.values()} <= {service}
            else:
                pairs = {(e.before, e.after) for e in choice.effects}
                assert set(changed.values()) == pairs if every_household else set(changed.values()) <= pairs
            for effect in choice.effects:  # its household (not always one brute force enumerates)
                assert (_route(text, effect.example), _route(fixed, effect.example)) == (effect.before, effect.after)


_RELATIONS = """charte « Sommes et durées »
en vigueur à partir du 1er janvier 2024
services
  CAF : « c »
  DEP : « d »
données du ménage
  dette [d] : montant en euros d'au moins 0
  loyer [l] : montant en euros entre 1 et 5 000 €
  charges [h] : montant en euros entre 0 et 1 000 €
  date du premier impayé [t] : date, peut être inconnu
  date du signalement [u] : date
règle « A »
  si {a}
  alors CAF
règle « B »
  si {b}
  alors DEP
règle « Date inconnue »
  si la date du premier impayé est inconnue
  alors DEP
"""


def test_a_gap_between_sums_or_durations_is_drafted_in_their_words():
    """A gap between two sums, two calendar-month durations or two day counts gets a drafted rule
    that says it with « la somme de … », « fois », « mois avant » or « jours après », and closes it."""
    cases = [
        ("la dette est au moins 2 fois la somme du loyer et des charges",
         "la dette est moins de la somme du loyer et des charges",
         ["  si la date du premier impayé est connu",
          "     et la dette est moins de 2 fois la somme du loyer et des charges",
          "     et la dette est au moins la somme du loyer et des charges"]),
        ("la date du premier impayé est au moins 3 mois avant la date du signalement",
         "la date du premier impayé est moins de 1 mois avant la date du signalement",
         ["  si la date du premier impayé est connu",
          "     et la date du premier impayé est au moins 1 mois avant la date du signalement",
          "     et la date du premier impayé est moins de 3 mois avant la date du signalement"]),
        ("la date du signalement est au moins 60 jours après la date du premier impayé",
         "la date du signalement est moins de 45 jours après la date du premier impayé",
         ["  si la date du premier impayé est connu",
          "     et la date du signalement est au moins 45 jours après la date du premier impayé",
          "     et la date du signalement est au plus 59 jours après la date du premier impayé"]),
    ]
    for a, b, condition in cases:
        text = _RELATIONS.format(a=a, b=b)
        (gap,) = _problems(text, "lacune")
        draft = gap.correction.choices[0]
        assert draft.code.splitlines()[1:-1] == condition
        fixed = _apply(text, draft)
        assert not _problems(fixed, "lacune")
        assert _route(fixed, gap.example) == "CAF"


def test_a_region_the_language_cannot_say_gets_a_note_not_a_draft():
    """« la somme de la dette et du loyer » against « 2 fois la somme du loyer et des charges » ties the
    loyer with two factors: no comparison of the language says the gap's region, so no rule is
    drafted for it alone, and the note says why; the default rule is still proposed."""
    text = _RELATIONS.format(a="la somme de la dette et du loyer est au moins 2 fois la somme du loyer et des charges",
                             b="la dette est moins de 10 €")
    (gap,) = _problems(text, "lacune")
    (default,) = gap.correction.choices
    assert "dans tous les autres cas" in default.code
    assert gap.correction.note == (
        "Aucune règle n'est proposée pour ces ménages seulement, car leur condition ne s'écrit pas dans le langage : "
        "la relation entre « dette », « loyer » et « charges » additionne des données avec des facteurs différents, "
        "ce qu'une comparaison du langage ne dit pas ; décrivez-les d'après leur région ci-dessus.")
    assert gap.correction.note in "\n".join(gap.correction.render(gap.region))


def test_when_the_allowance_is_spent_the_effects_are_not_claimed(monkeypatch):
    """A report whose corrections run out of work still gives the clauses, and says their effects
    were not computed rather than « rien d'autre ne change »."""
    from repartition.proof import fixes

    monkeypatch.setattr(fixes, "REPORT_WORK", 0)
    text = (FAULTY / "conflit.regles").read_text(encoding="utf-8")
    (problem,) = _problems(text, "conflit")
    assert [c.code.startswith("règle ") for c in problem.correction.choices] == [True, True]
    assert all(not c.complete and not c.effects for c in problem.correction.choices)
    assert "effet : non calculé (charte trop grande)." in problem.render()
    assert "rien d'autre ne change" not in problem.render()
