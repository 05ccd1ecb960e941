"""Tests of `repartition documenter`: a standalone HTML or Markdown page of a charter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from repartition.cli import main

ROOT = Path(__file__).resolve().parents[1]
FICHE = ROOT / "policies" / "dispositif-repartition.regles"
RULES = ("Familles allocataires", "Procédure judiciaire", "Autres ménages")


def test_html_page(tmp_path, capsys):
    """The HTML page is written, with every rule, the decision tables and the inline diagram."""
    assert main(["documenter", str(FICHE), "-o", str(tmp_path / "sortie")]) == 0
    page = tmp_path / "sortie" / "dispositif-repartition.html"
    assert capsys.readouterr().out == f"écrit : {page}\n"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    for rule in RULES:
        assert f"<h3>{rule}</h3>" in html
    assert html.count('<table class="decision">') == 2
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="repartition-graphe"' in html
    assert "Vérification" in html


def test_markdown_page_and_diagram(tmp_path):
    """With --format md, the page is Markdown and the diagram a separate SVG file it links to."""
    assert main(["documenter", str(FICHE), "-o", str(tmp_path), "--format", "md"]) == 0
    markdown = (tmp_path / "dispositif-repartition.md").read_text(encoding="utf-8")
    image = (tmp_path / "dispositif-repartition-exceptions.svg").read_text(encoding="utf-8")
    assert markdown.startswith("# Dispositif de répartition des signalements reçus par la CCAPEX\n")
    assert "![Exceptions entre les règles](dispositif-repartition-exceptions.svg)" in markdown
    for rule in RULES:
        assert f"### {rule}" in markdown
    assert "Familles allocataires" in image and "Procédure judiciaire" in image
    assert "Autres ménages" not in image  # takes part in no exception
    assert "**Si enfants à charge au moins 1 et aide au logement, alors le ménage relève du service CAF" in markdown


def test_failing_example_still_documented(tmp_path, capsys):
    """A charter whose example fails is documented with the failure, and the command exits 1."""
    charter = tmp_path / "fausse.regles"
    charter.write_text(FICHE.read_text(encoding="utf-8").replace(
        "attendu CAF par « Familles allocataires »", "attendu DEPARTEMENT"), encoding="utf-8")
    assert main(["documenter", str(charter), "-o", str(tmp_path / "doc"), "--format", "md"]) == 1
    markdown = (tmp_path / "doc" / "fausse.md").read_text(encoding="utf-8")
    assert "✗ CAF par « Familles allocataires »" in markdown
    assert "l'exemple « Famille allocataire sans procédure » attend DEPARTEMENT" in markdown


def test_bad_charter_is_an_error(tmp_path, capsys):
    """A charter that does not load gives its located French errors and exit code 2, and no page."""
    charter = tmp_path / "cassee.regles"
    charter.write_text("charte « Cassée »\nservices\n  CAF : « CAF »\nrègle « A »\n  si x\n  alors CAF\n",
                       encoding="utf-8")
    assert main(["documenter", str(charter), "-o", str(tmp_path / "doc")]) == 2
    assert f"{charter}:5:6: erreur : donnée inconnue « x »" in capsys.readouterr().err
    assert not (tmp_path / "doc").exists()


def test_unwritable_folder(tmp_path, capsys):
    """An output path that is a file gives a French error and exit code 2."""
    blocker = tmp_path / "fichier"
    blocker.write_text("", encoding="utf-8")
    assert main(["documenter", str(FICHE), "-o", str(blocker / "doc")]) == 2
    err = capsys.readouterr().err
    assert err == f"impossible d'écrire dans « {blocker / 'doc'} » : un élément du chemin n'est pas un dossier\n"
    assert main(["documenter", str(FICHE), "-o", str(blocker)]) == 2
    assert capsys.readouterr().err == f"impossible d'écrire dans « {blocker} » : un fichier de ce nom existe déjà\n"


def test_help_is_french(capsys):
    """The command's help is in French."""
    with pytest.raises(SystemExit) as stop:
        main(["documenter", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "usage : repartition documenter" in out and "dossier où écrire la page" in out


def test_tables_next_to_the_charter(tmp_path):
    """A charter with table files is documented from another working folder."""
    source = ROOT / "tests" / "roots" / "test-charte"
    shutil.copy(source / "petite.regles", tmp_path)
    shutil.copy(source / "communes.csv", tmp_path)
    assert main(["documenter", str(tmp_path / "petite.regles"), "-o", str(tmp_path / "doc")]) == 0
    html = (tmp_path / "doc" / "petite.html").read_text(encoding="utf-8")
    assert "<td><code>communes.csv</code></td>" in html and "<td>« UT Autres »</td>" in html
