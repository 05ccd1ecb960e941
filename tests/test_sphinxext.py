"""Tests of the Sphinx extension: the `charte` directive, the `regle` role, dependencies and warnings."""

from __future__ import annotations

import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="Sphinx n'est pas installé (option docs)")
from sphinx.testing.util import SphinxTestApp  # noqa: E402

ROOT = Path(__file__).resolve().parent / "roots" / "test-charte"


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the tiny test project."""
    target = tmp_path / "projet"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns("_build"))
    return target


def build(srcdir: Path, **options) -> tuple[SphinxTestApp, str]:
    warnings = StringIO()
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=warnings, **options)
    try:
        app.build()
    finally:
        app.cleanup()
    return app, warnings.getvalue()


def page(app: SphinxTestApp) -> str:
    return (Path(app.outdir) / "index.html").read_text(encoding="utf-8")


def test_renders_the_charter_without_warning(project):
    """The directive renders header, every rule, the tables, the diagram and the verdict; no warning."""
    app, warnings = build(project)
    assert warnings == ""
    html = page(app)
    assert "Petite charte d’essai" in html or "Petite charte d'essai" in html
    for anchor, name in (("petite-regle-familles", "Familles"), ("petite-regle-grosse-dette", "Grosse dette"),
                         ("petite-regle-autres", "Autres")):
        assert f'id="{anchor}"' in html
        assert re.search(rf'<h\d>{name}<a class="headerlink"', html)
    assert "Si les enfants à charge sont au moins 1, alors le ménage relève du service CAF" in html
    assert html.count('repartition decision') == 2
    assert "au moins 5\u202f000,00 €" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="repartition-graphe"' in html
    assert "unité selon la table « communes » d’après « commune »" in html \
        or "unité selon la table « communes » d'après « commune »" in html
    assert 'id="petite-verification"' in html
    # Every rendering says the same: the Sphinx page has the standalone page's sections, in its order.
    sections = re.findall(r'<section[^>]* id="petite-([a-z0-9-]+)"', html)
    assert sections[:4] == ["verification", "qui-va-ou", "regles", "regle-familles"]
    assert 'href="_images/petite-exceptions.svg"' in html
    assert (Path(app.outdir) / "_images" / "petite-exceptions.svg").read_text(encoding="utf-8").count(
        'href="../index.html#petite-regle-') == 2



def test_rule_role_links_to_the_rule(project):
    """`:regle:` resolves by name or by `fichier:nom` to the rule's section."""
    app, _ = build(project)
    html = page(app)
    assert 'href="#petite-regle-grosse-dette"' in html
    assert 'href="#petite-regle-familles"' in html


def test_code_block_is_highlighted(project):
    """`.. code-block:: regles` is highlighted by the extension's lexer."""
    app, _ = build(project)
    html = page(app)
    assert 'class="highlight-regles' in html
    assert '<span class="k">si</span>' in html
    assert '<span class="err">' not in html


def test_unknown_rule_in_role_warns_in_french(project):
    """A `:regle:` naming no documented rule warns, with a suggestion."""
    index = project / "index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace(":regle:`Grosse dette`", ":regle:`Grose dette`"),
                     encoding="utf-8")
    _, warnings = build(project)
    assert "règle inconnue « Grose dette » ; vouliez-vous dire « Grosse dette » ?" in warnings


def test_charter_error_warns_with_file_and_line(project):
    """A charter that does not load warns at `fichier.regles:ligne` and the page says so."""
    charter = project / "petite.regles"
    charter.write_text(charter.read_text(encoding="utf-8").replace("si les enfants", "si les enfnats"),
                       encoding="utf-8")
    app, warnings = build(project)
    line = next(i for i, text in enumerate(charter.read_text(encoding="utf-8").splitlines(), 1) if "enfnats" in text)
    assert f"petite.regles:{line}: WARNING: donnée inconnue « les enfnats à charge »" in warnings
    assert "ne peut pas être lue" in page(app)


def test_folder_without_a_version_warns_instead_of_crashing(project):
    """A folder of versions none of which is in force today: a French warning, the build goes on."""
    (project / "versions").mkdir()
    index = project / "index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace(".. charte:: petite.regles", ".. charte:: versions"),
                     encoding="utf-8")
    app, warnings = build(project)
    assert "WARNING:" in warnings and "versions" in warnings
    assert "ne peut pas être lue" in page(app)


def test_failing_example_warns_with_file_and_line(project):
    """An example giving another service warns at its line; the page marks it ✗."""
    charter = project / "petite.regles"
    text = charter.read_text(encoding="utf-8").replace("  attendu CAF par « Familles »", "  attendu DEPARTEMENT")
    charter.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("exemple « Famille » :"))
    app, warnings = build(project)
    assert f"petite.regles:{line}: WARNING: l'exemple « Famille » attend DEPARTEMENT" in warnings
    assert "✗ attendu DEPARTEMENT ; obtenu CAF par « Familles »" in page(app)


def test_dependencies_are_noted(project):
    """The page depends on the rule file and its table files."""
    app, _ = build(project)
    dependencies = {os.path.basename(str(p)) for p in app.env.dependencies["index"]}
    assert {"petite.regles", "communes.csv"} <= dependencies


def test_page_is_outdated_when_a_table_changes(project):
    """Editing a table file makes the page out of date for the next build."""
    build(project)
    table = project / "communes.csv"
    table.write_text(table.read_text(encoding="utf-8") + "75103;UT Sud\n", encoding="utf-8")
    later = table.stat().st_mtime + 10
    os.utime(table, (later, later))
    app = SphinxTestApp("html", srcdir=project, status=StringIO(), warning=StringIO())
    try:
        _, changed, _ = app.env.get_outdated_files(False)
    finally:
        app.cleanup()
    assert "index" in changed
