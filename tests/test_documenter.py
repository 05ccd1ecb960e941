"""Tests of `repartition documenter`: a standalone HTML or Markdown page of a charter."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

import pytest

from repartition.cli import main

ROOT = Path(__file__).resolve().parents[1]
FICHE = ROOT / "policies" / "dispositif-repartition.regles"
RULES = ("Familles allocataires", "Procédure judiciaire", "Autres ménages")


def test_html_page(tmp_path, capsys):
    """The HTML page is written with its diagram's own file: every rule, the decision tables, the inline diagram."""
    assert main(["documenter", str(FICHE), "-o", str(tmp_path / "sortie")]) == 0
    page = tmp_path / "sortie" / "dispositif-repartition.html"
    image = tmp_path / "sortie" / "dispositif-repartition-exceptions.svg"
    assert capsys.readouterr().out == f"écrit : {page}\nécrit : {image}\n"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    for rule in RULES:
        assert f"<h3>{rule}</h3>" in html
    assert html.count('<table class="repartition decision">') == 2
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="repartition-graphe"' in html
    assert '<a href="dispositif-repartition-exceptions.svg">' in html
    assert "Vérification" in html
    assert image.read_text(encoding="utf-8").startswith('<svg xmlns="http://www.w3.org/2000/svg"')


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
    assert ("**Si les enfants à charge sont au moins 1 et « aide au logement » vaut oui, alors le ménage relève "
            "du service CAF") in markdown


def test_failing_example_still_documented(tmp_path, capsys):
    """A charter whose example fails is documented with the failure, and the command exits 1."""
    charter = tmp_path / "fausse.regles"
    charter.write_text(FICHE.read_text(encoding="utf-8").replace(
        "attendu CAF par « Familles allocataires »", "attendu DEPARTEMENT"), encoding="utf-8")
    assert main(["documenter", str(charter), "-o", str(tmp_path / "doc"), "--format", "md"]) == 1
    markdown = (tmp_path / "doc" / "fausse.md").read_text(encoding="utf-8")
    assert "✗ attendu DEPARTEMENT ; obtenu CAF par « Familles allocataires »" in markdown
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
    assert "<dt>Fichier</dt><dd><code>communes.csv</code></dd>" in html
    assert "orienté vers l&#x27;unité « UT Autres »" in html and "UT Nord" in html


def _pdf_text(path: Path) -> list[str]:
    pypdf = pytest.importorskip("pypdf", reason="pypdf est absent (option test)")
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.mark.slow
@pytest.mark.parametrize("charter", ["dispositif-repartition", "exemple-departemental"])
def test_pdf_to_sign(tmp_path, charter, capsys):
    """--format pdf writes an A4 document: every rule and the sha256 in its text, each page numbered
    « page n / N » with the title, version and sha256 in its footer."""
    import repartition

    if importlib.util.find_spec("weasyprint") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("WeasyPrint est absent en CI : .ci/run installe l'option [pdf]")
        pytest.skip("WeasyPrint est absent (option pdf)")
    source = ROOT / "policies" / f"{charter}.regles"
    assert main(["documenter", str(source), "-o", str(tmp_path), "--format", "pdf"]) == 0
    pdf = tmp_path / f"{charter}.pdf"
    assert capsys.readouterr().out == f"écrit : {pdf}\n"
    loaded = repartition.load_charter(source, verify=False)
    pages = _pdf_text(pdf)
    text = re.sub(r"\s+", " ", " ".join(pages))
    for rule in loaded.rules:
        assert rule.name in text, rule.name
    assert loaded.model.sha256 in text
    assert 2 <= len(pages) <= (8 if charter == "dispositif-repartition" else 60)
    for number, page in enumerate(pages, 1):
        flat = re.sub(r"\s+", " ", page)
        assert f"page {number} / {len(pages)}" in flat
        assert f"sha256 {loaded.model.sha256}" in flat and f"version {loaded.model.version}" in flat
    from pypdf import PdfReader
    first = PdfReader(pdf).pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)  # A4 in points


def test_pdf_without_weasyprint_is_a_french_error(tmp_path, capsys, monkeypatch):
    """Without the [pdf] option, --format pdf fails with a French message and exit code 2."""
    import builtins

    real = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    assert main(["documenter", str(FICHE), "-o", str(tmp_path), "--format", "pdf"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("impossible de produire le PDF : le format pdf demande l'option [pdf] de repartition")
    assert not (tmp_path / "dispositif-repartition.pdf").exists()
