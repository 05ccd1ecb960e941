"""The proof end to end: bundled charters proven, faulty corpus, load_charter, CLI, budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import repartition
from repartition.cli import main
from repartition.errors import CharterError, CharterNotProven, NoDecision
from repartition.proof import verify

ROOT = Path(__file__).resolve().parents[1]
FAULTY = sorted((ROOT / "tests" / "corpus" / "faulty").glob("*.regles"))
FICHE = ROOT / "policies" / "dispositif-repartition.regles"
DEPARTEMENTAL = ROOT / "policies" / "exemple-departemental.regles"

LACUNE = """charte « Lacune »
services
  CAF : « CAF »
  DEPARTEMENT : « Département »
données du ménage
  enfants à charge [enfants_a_charge] : nombre entier d'au moins 0
  aide au logement [aide_au_logement] : oui ou non
règle « Familles allocataires »
  si les enfants à charge sont au moins 1 et aide au logement
  alors CAF
"""


def test_fiche_is_proven():
    """The fiche 3-4 charter is proven: no problem at all, not even a warning."""
    report = verify(repartition.load_charter(FICHE, verify=False))
    assert report.ok and report.problems == ()


def test_departmental_charter_is_proven():
    """The departmental charter is proven (warnings allowed)."""
    report = verify(repartition.load_charter(DEPARTEMENTAL, verify=False))
    assert report.ok, report.render()


def test_verify_accepts_a_model():
    """verify() takes a Charter or its CharterModel and finds the same problems."""
    charter = repartition.Charter.from_text(LACUNE, name="l.regles", verify=False)
    assert verify(charter).to_dict() == verify(charter.model).to_dict()


@pytest.mark.parametrize("path", FAULTY, ids=lambda p: p.stem)
def test_faulty_corpus(path, capsys):
    """Each faulty charter gets exactly its expected problems (JSON), and exit code 1 (0 if only warnings)."""
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    code = main(["verifier", "--format", "json", str(path)])
    assert json.loads(capsys.readouterr().out) == expected
    assert code == (0 if expected["ok"] else 1)
    assert expected["ok"] == all(p["gravite"] == "avertissement" for p in expected["problemes"])


@pytest.mark.parametrize("path", FAULTY, ids=lambda p: p.stem)
def test_faulty_examples_reproduce_on_both_engines(path, engine):
    """Every example household shown for a gap, conflict or undetermined case raises NoDecision of that kind."""
    charter = repartition.load_charter(path, verify=False, engine=engine)
    for problem in verify(charter).problems:
        if problem.kind in ("lacune", "conflit", "indetermination"):
            with pytest.raises(NoDecision) as raised:
                charter.route(problem.example)
            assert raised.value.kind == problem.kind
            assert list(raised.value.rules) == [n for n, _ in problem.rules]


def test_load_charter_raises_charter_not_proven(tmp_path):
    """load_charter (verify=True) raises CharterNotProven, a CharterError carrying the problems."""
    path = tmp_path / "lacune.regles"
    path.write_text(LACUNE, encoding="utf-8")
    with pytest.raises(CharterNotProven) as raised:
        repartition.load_charter(path)
    assert isinstance(raised.value, CharterError)
    assert [p.kind for p in raised.value.problems] == ["lacune"]
    assert "lacune" in str(raised.value) and "aide au logement" in str(raised.value)


def test_proof_failures_point_at_their_rule_in_french(tmp_path):
    """A proof problem names its kind in French, at the rule's file:line:column, with a caret."""
    path = tmp_path / "morte.regles"
    path.write_text(LACUNE.replace("au moins 1 et", "au moins 1 et non aide au logement et") +
                    "règle « Autres »\n  sinon DEPARTEMENT\n", encoding="utf-8")
    with pytest.raises(CharterNotProven) as raised:
        repartition.load_charter(path)
    assert str(raised.value).splitlines()[1:] == [
        f"{path}:8:1: erreur : règle morte : la règle « Familles allocataires » ne décide pour aucun ménage : "
        "sa condition n'est jamais vraie — région : aucun ménage",
        " 8 | règle « Familles allocataires »",
        "   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    ]


def test_verify_false_loads_and_route_raises_no_decision(make_charter):
    """With verify=False the charter loads anyway, and routing a household of the gap raises NoDecision."""
    charter = make_charter(LACUNE, verify=False)
    with pytest.raises(NoDecision) as raised:
        charter.route({"enfants_a_charge": 0, "aide_au_logement": True})
    assert raised.value.kind == "lacune"


def test_warnings_do_not_block_loading(make_charter):
    """A redundancy is a warning: the charter loads with verify=True."""
    text = (ROOT / "tests" / "corpus" / "faulty" / "redondance.regles").read_text(encoding="utf-8")
    charter = make_charter(text)
    assert charter.route({"enfants_a_charge": 0, "aide_au_logement": False,
                          "stade_procedure": "jugement"}).service == "DEPARTEMENT"


def test_budget_exhausted_gives_indecis_never_proven():
    """Past its budget of work the proof reports `indecis` with a region, and the verdict is not ok."""
    charter = repartition.load_charter(FICHE, verify=False)
    report = verify(charter, work=3)
    assert not report.ok
    assert [p.kind for p in report.problems] == ["indecis"]
    assert report.problems[0].region != "aucun ménage"


def test_budget_spent_by_the_searches_is_not_said_of_households():
    """When the budget ends in the search for dead rules, the routing is proven: the report says so."""
    charter = repartition.load_charter(DEPARTEMENTAL, verify=False)

    def routing_settled(work: int) -> bool:
        problems = verify(charter, work=work).problems
        return not any(p.message.startswith("la preuve n'a pas pu conclure") for p in problems)

    low, high = 1, verify(charter).work  # the least budget that settles the routing, by bisection
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if routing_settled(middle) else (middle + 1, high)
    report = verify(charter, work=low)
    assert [p.kind for p in report.problems] == ["indecis"] and not report.ok
    assert report.problems[0].message.startswith("chaque ménage a un service et un seul, mais la recherche")


def _three_fields(least_resources: int, more: str) -> str:
    """A charter whose rule chains ratio constraints over three amounts."""
    return f"""charte « Trois »
services
  A : « A »
  B : « B »
données du ménage
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros d'au moins 1
  ressources [ressources] : montant en euros d'au moins {least_resources}
règle « R »
  si la dette est au moins 2 fois le loyer et le loyer est au moins 2 fois les ressources{more}
  alors A
règle « S »
  dans tous les autres cas, B
"""


def test_ratio_constraints_over_three_fields_are_solved():
    """Ratio constraints chaining three fields find their household: the rule is not called dead."""
    text = _three_fields(0, "")
    report = verify(repartition.Charter.from_text(text, name="t.regles", verify=False))
    assert report.ok


def test_cli_text_output_groups_problems_in_french(capsys):
    """`repartition verifier` prints problems grouped under French headings with rules and lines."""
    code = main(["verifier", str(ROOT / "tests" / "corpus" / "faulty" / "conflit.regles")])
    out = capsys.readouterr().out
    assert code == 1
    assert "Preuve en échec : 1 problème." in out
    assert "Conflits (ménages réclamés par des services différents) : 1" in out
    assert "« Familles allocataires » (ligne 16)" in out
    assert "stade de la procédure entre assignation et demande de concours" in out


def test_cli_proven_charter_exits_zero(capsys):
    """A proven charter exits 0 and says so."""
    assert main(["verifier", str(FICHE)]) == 0
    assert "Preuve établie" in capsys.readouterr().out


def test_cli_json_for_proven_charter(capsys):
    """--format json prints {"ok": true, "problemes": []} for a proven charter."""
    assert main(["verifier", "--format", "json", str(FICHE)]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "problemes": []}


def test_cli_file_errors_exit_two(tmp_path, capsys):
    """A charter with errors (here: a missing file) exits 2 with a French message."""
    assert main(["verifier", str(tmp_path / "absente.regles")]) == 2
    assert "impossible de lire la charte" in capsys.readouterr().err


def test_three_fields_without_household_over_the_reals_is_settled():
    """A region tied over three fields with no real solution is proven empty: the rule is dead."""
    text = _three_fields(1, "\n     et la dette est moins de 4 fois les ressources")
    report = verify(repartition.Charter.from_text(text, name="t.regles", verify=False))
    assert [(p.kind, p.rules[0][0]) for p in report.problems] == [("regle_morte", "R")]


_THREE = """charte « Trois »
services
  A : « A »
  B : « B »
données du ménage
  x [x] : nombre entier entre 1 et 5
  y [y] : nombre entier entre 0 et 1000
  z [z] : nombre entier entre 0 et 1000
règle « R »
  si {condition}
  alors A
règle « S »
  dans tous les autres cas, B
"""


def test_three_fields_tied_by_whole_multiples_are_decided_exactly():
    """x = 2·y = 3·z has no whole solution with x between 1 and 5 (x would be a multiple of 6), though
    real numbers fit: eliminating x, whose coefficient is 1, is exact over whole numbers, so the
    rule is proven dead rather than left undecided."""
    text = _THREE.format(condition="x est au moins 2 fois y et x est au plus 2 fois y et x est au moins 3 fois z\n"
                                   "     et x est au plus 3 fois z")
    report = verify(repartition.Charter.from_text(text, name="t.regles", verify=False))
    assert [(p.kind, p.rules[0][0]) for p in report.problems] == [("regle_morte", "R")]
    report = verify(repartition.Charter.from_text(text.replace("entre 1 et 5", "entre 1 et 6"), name="t.regles",
                                                  verify=False))
    assert report.ok


def test_three_fields_with_only_real_solutions_is_indecis_not_a_false_claim():
    """When real numbers fit but the search finds no whole household, and exactness would need more
    residues than the solver walks (10 000 × y = 10 001 × (y + z) ties each field to two others with
    large coefficients), the region is `indecis`, and no rule is called dead for it."""
    text = _THREE.format(condition="x est au moins 1,0001 fois la somme de y et de z et x est au plus 1,0001 fois "
                                   "la somme de y et de z")
    report = verify(repartition.Charter.from_text(text, name="t.regles", verify=False))
    assert not report.ok
    assert "indecis" in [p.kind for p in report.problems]
    assert "regle_morte" not in [p.kind for p in report.problems]


def test_cli_counts_in_french_singular_and_plural(tmp_path, capsys):
    """The verifier's heading says « 1 règle, 1 exemple vérifié » and « 2 règles, 2 exemples vérifiés »."""
    one = LACUNE.replace("  alors CAF\n", "  alors CAF\nexemple « Famille » :\n  enfants à charge : 1, aide au "
                         "logement : oui\n  attendu CAF\n")
    two = one + "règle « Autres »\n  dans tous les autres cas, DEPARTEMENT\n" + (
        "exemple « Seul » :\n  enfants à charge : 0, aide au logement : non\n  attendu DEPARTEMENT\n")
    for text, heading in ((one, "1 règle, 1 exemple vérifié."), (two, "2 règles, 2 exemples vérifiés.")):
        path = tmp_path / "charte.regles"
        path.write_text(text, encoding="utf-8")
        main(["verifier", str(path)])
        assert f"version —, {heading}\n" in capsys.readouterr().out


EXCEPTIONS = """charte « Exceptions »
services
  CAF : « CAF »
  DEPARTEMENT : « Département »
  CCAPEX : « CCAPEX »
données du ménage
  enfants à charge [enfants_a_charge] : nombre entier d'au moins 0
  aide au logement [aide_au_logement] : oui ou non, peut être inconnu
  stade [stade] : étape parmi (aucune, assignation, jugement)
"""


@pytest.mark.parametrize("rules", [
    # The exception is true only where its rule is unknown: it says what to do then.
    """règle « Allocataires »
  si aide au logement
  alors CAF
règle « Aide inconnue », par exception à « Allocataires »
  si aide au logement est inconnu
  alors DEPARTEMENT
règle « Autres »
  dans tous les autres cas, DEPARTEMENT
""",
    # The exception never holds with its rule, but sets aside the rule that its rule sets aside.
    """règle « Procédure »
  si le stade est au moins assignation
  alors DEPARTEMENT
règle « Familles en procédure », par exception à « Procédure »
  si les enfants à charge sont au moins 1 et le stade est au moins assignation
  alors CAF
règle « Jugement sans enfant », par exception à « Familles en procédure »
  si les enfants à charge sont 0 et le stade est jugement
  alors CCAPEX
règle « Autres »
  dans tous les autres cas, CAF
"""], ids=["regle-inconnue", "regle-ecartee-en-cascade"])
def test_exception_setting_aside_an_unknown_or_downstream_rule_is_useful(rules):
    """An exception true where its rule is unknown, or where a rule its rule sets aside is true,
    is not reported as useless: the charter is proven."""
    charter = repartition.Charter.from_text(EXCEPTIONS + rules, name="e.regles", verify=False)
    report = verify(charter)
    assert report.problems == (), report.render()


def test_cli_failing_example_exits_two(tmp_path, capsys):
    """An example that does not get its expected service is an error in the file: exit 2, in French."""
    path = tmp_path / "charte.regles"
    path.write_text(LACUNE + "règle « Autres »\n  dans tous les autres cas, DEPARTEMENT\n"
                    "exemple « Famille » :\n  enfants à charge : 1, aide au logement : oui\n  attendu DEPARTEMENT\n",
                    encoding="utf-8")
    assert main(["verifier", str(path)]) == 2
    assert "l'exemple « Famille » attend DEPARTEMENT, la charte donne CAF" in capsys.readouterr().err


def test_the_budget_is_work_not_seconds(monkeypatch):
    """A clock that jumps an hour at each reading changes nothing: the same work, the same verdict."""
    charter = repartition.load_charter(DEPARTEMENTAL, verify=False)
    expected = verify(charter)
    hours = iter(range(0, 10**9, 3600))
    monkeypatch.setattr("time.perf_counter", lambda: float(next(hours)))
    report = verify(charter)
    assert report.ok and (report.work, report.problems) == (expected.work, expected.problems)


def test_an_undecided_region_names_the_rules_it_could_not_settle():
    """`indecis` says which rules the proof could not tell apart, each with its line."""
    charter = repartition.load_charter(DEPARTEMENTAL, verify=False)
    (problem,) = verify(charter, work=500).problems
    assert problem.kind == "indecis" and problem.rules
    assert f"« {problem.rules[0][0]} »" in problem.message and problem.rules[0][1] is not None


def test_an_undecided_charter_is_refused_at_load_and_loads_unverified(monkeypatch):
    """Past its budget a charter is refused like any unproven one; verify=False still loads it."""
    import repartition.proof

    monkeypatch.setattr(repartition.proof, "DEFAULT_WORK", 500)
    with pytest.raises(CharterNotProven) as caught:
        repartition.load_charter(DEPARTEMENTAL)
    assert [p.kind for p in caught.value.problems] == ["indecis"]
    assert caught.value.diagnostics[0].span.line is not None
    charter = repartition.load_charter(DEPARTEMENTAL, verify=False)
    assert charter.route({"commune": "96003", "date_signalement": "2026-02-01", "stade_procedure": "jugement",
                          "type_bailleur": "social", "enfants_a_charge": 0, "aide_au_logement": False,
                          "prestations_familiales": False, "connu_services_sociaux": True,
                          "dette_locative": "100", "loyer_mensuel": "400"}).service


def test_thousands_of_conflicts_are_counted_past_the_first_ones():
    """Thirty separate conflicts: the first twenty are spelled out with an example, the others counted."""
    rules = "".join(f"règle « A{i} »\n  si n est {i}\n  alors A\nrègle « B{i} »\n  si n est {i}\n  alors B\n"
                    for i in range(30))
    text = ("charte « Conflits »\nservices\n  A : « A »\n  B : « B »\ndonnées du ménage\n"
            "  n [n] : nombre entier d'au moins 0\n" + rules + "règle « Autres »\n  sinon A\n")
    report = verify(repartition.Charter.from_text(text, name="c.regles", verify=False))
    conflicts = [p for p in report.problems if p.kind == "conflit"]
    assert len(conflicts) == 21
    assert all(p.example is not None for p in conflicts[:20])
    assert [p.rules[0][0] for p in conflicts[:20]] == [f"A{i}" for i in range(20)]
    assert conflicts[20].message == "et 10 autres conflits, non détaillés : corrigez d'abord les précédents"
    assert [name for name, _ in conflicts[20].rules] == [f"{k}{i}" for i in range(20, 25) for k in "AB"]


def test_thousands_of_dead_rules_are_counted_past_the_first_ones():
    """A first rule true everywhere sets 299 others aside: twenty are described, the others counted."""
    rules = "".join(f"règle « R{i} »{f', par exception à « R{i + 1} »' if i < 299 else ''}\n"
                    f"  si n est au moins {i}\n  alors A\n" for i in range(300))
    text = "charte « Inverse »\nservices\n  A : « A »\ndonnées du ménage\n  n [n] : nombre entier d'au moins 0\n"
    report = verify(repartition.Charter.from_text(text + rules, name="i.regles", verify=False))
    assert [p.kind for p in report.problems] == ["regle_morte"] * 21
    assert [p.rules[0][0] for p in report.problems[:20]] == [f"R{i}" for i in range(1, 21)]
    assert report.problems[20].message == ("et 279 autres règles mortes, non détaillées : corrigez d'abord "
                                           "les précédentes")
