"""Tests of `repartition tester` and of the per-example results and rule coverage it prints."""

from __future__ import annotations

import pytest

from repartition import Charter
from repartition.cli import main
from repartition.examples import coverage, run_examples

from conftest import FICHE

_FAILING = FICHE.read_text(encoding="utf-8").replace(
    "  attendu DEPARTEMENT par « Autres ménages »\n\nexemple « Personne seule",
    "  attendu CAF par « Autres ménages »\n\nexemple « Personne seule")


def test_results_and_coverage_of_the_fiche():
    """Every example of the fiche passes and each of its three rules decides some example."""
    charter = Charter.from_text(FICHE.read_text(encoding="utf-8"), name="fiche.regles")
    results = run_examples(charter)
    assert [r.passed for r in results] == [True] * 5
    assert results[0].obtained_text == "CAF par « Familles allocataires »"
    table = coverage(charter, results)
    assert table.rules[1] == ("Procédure judiciaire", ("Famille allocataire assignée", "Concours accordé"))
    assert (table.covered, table.percent) == (3, 100.0)
    assert table.reaches(100)


def test_a_failing_example_is_a_result_not_an_exception():
    """Loaded without verification, a wrong example is reported with what it expected and got."""
    assert "attendu CAF par « Autres ménages »" in _FAILING
    charter = Charter.from_text(_FAILING, name="f.regles", verify=False)
    failed = [r for r in run_examples(charter) if not r.passed]
    assert [(r.example.name, r.expected_text, r.obtained_text) for r in failed] == [
        ("Famille sans aide au logement", "CAF par « Autres ménages »",
         "DEPARTEMENT par « Autres ménages »")]


def test_cli_passes_on_the_fiche(capsys):
    """`tester` prints expected, obtained and deciding rule for each example, then the coverage."""
    assert main(["tester", str(FICHE), "--couverture-min", "100"]) == 0
    out = capsys.readouterr().out
    assert "[réussi] exemple « Famille allocataire assignée » (ligne" in out
    assert "attendu : DEPARTEMENT par « Procédure judiciaire »" in out
    assert "obtenu : DEPARTEMENT (Service social départemental)" in out
    assert "règle décisive : « Procédure judiciaire »" in out
    assert "« Autres ménages »         « Famille sans aide au logement », « Personne seule allocataire »" in out
    assert "5 exemple(s), 5 réussi(s), 0 en échec ; couverture 3/3 règles (100 %)" in out


def test_cli_fails_on_a_wrong_example_and_low_coverage(tmp_path, capsys):
    """A failing example, or coverage below the minimum, gives exit 1 with the reason."""
    wrong = tmp_path / "faux.regles"
    wrong.write_text(_FAILING, encoding="utf-8")
    assert main(["tester", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "[ÉCHEC] exemple « Famille sans aide au logement »" in out
    assert "1 en échec" in out
    partial = tmp_path / "partielle.regles"
    text = FICHE.read_text(encoding="utf-8")
    partial.write_text(text[: text.index("exemple « Famille allocataire assignée »")], encoding="utf-8")
    assert main(["tester", str(partial), "--couverture-min", "50"]) == 1
    out = capsys.readouterr().out
    assert "« Procédure judiciaire »   aucun exemple" in out
    assert "couverture insuffisante : 1/3 règles couvertes, moins que les 50 % demandés" in out
    assert main(["tester", str(partial), "--couverture-min", "33,4"]) == 1
    assert "couverture insuffisante : 1/3 règles couvertes, moins que les 33,4 % demandés" in capsys.readouterr().out
    assert main(["tester", str(partial), "--couverture-min", "30"]) == 0
    capsys.readouterr()


def test_cli_errors(tmp_path, capsys):
    """An unreadable charter gives exit 2; a bad --couverture-min is refused in French."""
    assert main(["tester", str(FICHE), str(tmp_path / "absente.regles")]) == 2
    captured = capsys.readouterr()
    assert "absente.regles : charte non chargée" in captured.err
    assert "5 réussi(s)" in captured.out
    with pytest.raises(SystemExit) as exit:
        main(["tester", str(FICHE), "--couverture-min", "cent"])
    assert exit.value.code == 2
    assert "« cent » n'est pas un pourcentage" in capsys.readouterr().err
