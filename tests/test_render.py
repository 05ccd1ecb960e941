"""Tests of repartition.render: French sentences, decision tables, exception graph, page writers."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import repartition
from repartition.render import (condition_text, decision_tables, describe, exception_graph, rule_sentence, svg,
                                to_html, to_markdown, type_text)
from repartition.render.document import rule_anchor
from repartition.render.tables import open_case_text
from repartition.render.verdict import TITLE

ROOT = Path(__file__).resolve().parents[1]
FICHE = ROOT / "policies" / "dispositif-repartition.regles"
PETITE = ROOT / "tests" / "roots" / "test-charte" / "petite.regles"

HEADER = """charte « Essai »
services
  CAF : « CAF »
  DEPARTEMENT : « Département »
données du ménage
  enfants à charge [enfants] : nombre entier d'au moins 0
  aide au logement [aide] : oui ou non, peut être inconnu
  stade [stade] : étape parmi (aucune, assignation, jugement)
  bailleur [bailleur] : valeur parmi (social, prive, autre)
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros entre 1 et 5000
  commune [commune] : code
ensemble « littoral » : 17300, 17000
"""


def charter(rules: str, **options) -> repartition.Charter:
    return repartition.Charter.from_text(HEADER + rules, name="essai.regles", verify=False, **options)


def condition_of(text: str) -> str:
    loaded = charter(f"règle « R »\n  si {text}\n  alors CAF\nrègle « Autres »\n  sinon DEPARTEMENT\n")
    return condition_text(loaded.rules[0].condition)


@pytest.fixture(scope="module")
def fiche():
    return repartition.load_charter(FICHE, verify=False)


def test_fiche_rule_as_sentence(fiche):
    """The fiche's first rule reads « enfants à charge au moins 1 et aide au logement »."""
    assert condition_text(fiche.rules[0].condition) == "enfants à charge au moins 1 et aide au logement"
    assert rule_sentence(fiche.rules[0]) == (
        "Si enfants à charge au moins 1 et aide au logement, alors le ménage relève du service CAF "
        "(Service social de la CAF).")


def test_default_rule_sentence(fiche):
    """The default rule reads « Dans tous les autres cas, … »."""
    assert rule_sentence(fiche.rules[2]).startswith("Dans tous les autres cas, le ménage relève du service DEPARTEMENT")


@pytest.mark.parametrize("written, shown", [
    ("le stade n'est pas jugement", "stade n'est pas jugement"),
    ("non aide au logement", "non aide au logement"),
    ("aide au logement est inconnu", "aide au logement inconnu"),
    ("aide au logement est connu", "aide au logement connu"),
    ("la commune n'est pas dans « littoral »", "commune hors de « littoral »"),
    ("la commune est dans « littoral »", "commune dans « littoral »"),
    ("le bailleur est parmi social, autre", "bailleur parmi social, autre"),
    ("la dette est entre 100 € et 200 €", "dette entre 100,00 € et 200,00 €"),
    ("la dette est au moins 6 fois le loyer", "dette au moins 6 fois loyer"),
    ("la dette est plus de 1,5 fois le loyer", "dette plus de 1,5 fois loyer"),
    ("la dette est au moins 1,234567 fois le loyer", "dette au moins 1,234567 fois loyer"),
    ("les enfants à charge sont moins de 3", "enfants à charge moins de 3"),
    ("non (aide au logement et le stade est jugement)", "non (aide au logement et stade est jugement)"),
    ("aide au logement et (le stade est jugement ou le bailleur est social)",
     "aide au logement et (stade est jugement ou bailleur est social)"),
    ("aide au logement ou le stade est jugement et le bailleur est social",
     "aide au logement ou (stade est jugement et bailleur est social)"),
])
def test_condition_wording(written, shown):
    """Each construct has its French wording; `non` folds into the comparison; groups get parentheses."""
    assert condition_of(written) == shown


def test_type_wording():
    """Declared types read as the charter declares them, stages in order."""
    fields = {f.machine: type_text(f) for f in charter("règle « A »\n  sinon CAF\n").fields}
    assert fields["enfants"] == "nombre entier d'au moins 0"
    assert fields["stade"] == "étape parmi, dans l'ordre : aucune, assignation, jugement"
    assert fields["bailleur"] == "valeur parmi : social, prive, autre"
    assert fields["loyer"] == "montant en euros entre 1,00 € et 5\u202f000,00 €"


def test_fiche_decision_tables(fiche):
    """The fiche's tables say who goes where, one row per box of households, with the deciding rule."""
    tables = decision_tables(fiche.model)
    assert tables.exact
    caf, departement = tables.tables
    assert caf.service == "CAF" and departement.service == "DEPARTEMENT"
    assert caf.columns == ("enfants à charge", "aide au logement", "stade de la procédure")
    assert [(r.cells, r.rule) for r in caf.rows] == [
        (("au moins 1", "oui", "au plus commandement de payer"), "Familles allocataires")]
    assert [(r.cells, r.rule) for r in departement.rows] == [
        (("—", "—", "au moins assignation"), "Procédure judiciaire"),
        (("0", "—", "au plus commandement de payer"), "Autres ménages"),
        (("au moins 1", "non", "au plus commandement de payer"), "Autres ménages"),
    ]


def test_tables_fall_back_to_rules_past_budget(fiche):
    """Past the row budget the tables list each rule's own condition and the exceptions over it."""
    tables = decision_tables(fiche.model, max_rows=1)
    assert not tables.exact
    caf = tables.tables[0]
    assert caf.columns == ("condition", "sauf exception")
    assert caf.rows[0].cells == ("enfants à charge au moins 1 et aide au logement", "« Procédure judiciaire »")


@pytest.mark.parametrize("condition, inside, outside", [
    ("la dette est plus de 5 000 €", "plus de 5\u202f000,00 €", "au plus 5\u202f000,00 €"),
    ("la dette est au moins 5 000 €", "au moins 5\u202f000,00 €", "moins de 5\u202f000,00 €"),
    ("la dette est entre 100 € et 200 €", "entre 100,00 € et 200,00 €", None),
    ("la dette est plus de 100 € et la dette est moins de 200 €", "plus de 100,00 € et moins de 200,00 €", None),
    ("les enfants à charge sont plus de 2", "au moins 3", "au plus 2"),
])
def test_bounds_read_as_the_rule_wrote_them(condition, inside, outside):
    """Cells give thresholds as a rule writes them, not as the cent or unit next to them."""
    loaded = charter(f"règle « R »\n  si {condition}\n  alors CAF\nrègle « Autres »\n  sinon DEPARTEMENT\n")
    tables = {t.service: t for t in decision_tables(loaded.model).tables}
    assert [r.cells[0] for r in tables["CAF"].rows] == [inside]
    if outside is not None:
        assert [r.cells[0] for r in tables["DEPARTEMENT"].rows] == [outside]


def test_ratio_column():
    """A `fois` comparison becomes its own yes/no column."""
    loaded = charter("règle « Dette lourde »\n  si la dette est au moins 6 fois le loyer\n  alors CAF\n"
                     "règle « Autres »\n  sinon DEPARTEMENT\n")
    caf = decision_tables(loaded.model).tables[0]
    assert caf.columns == ("dette au moins 6 fois loyer",)
    assert caf.rows[0].cells == ("oui",)


def test_unknown_and_code_cells():
    """Cells name the unknown value and the named set a code was tested against."""
    loaded = charter("règle « Littoral »\n  si la commune est dans « littoral » et aide au logement\n  alors CAF\n"
                     "règle « Inconnue », par exception à « Littoral »\n  si aide au logement est inconnu\n"
                     "  alors DEPARTEMENT\nrègle « Autres »\n  sinon DEPARTEMENT\n")
    tables = {t.service: t for t in decision_tables(loaded.model).tables}
    assert None not in tables
    assert [r.cells for r in tables["CAF"].rows] == [("oui", "dans « littoral »")]
    cells = {r.rule: r.cells for r in tables["DEPARTEMENT"].rows}
    assert cells["Inconnue"] == ("inconnu", "—")
    assert sorted(r.cells for r in tables["DEPARTEMENT"].rows if r.rule == "Autres") == [
        ("connu", "hors de « littoral »"), ("non", "dans « littoral »")]


def test_open_cases_get_their_own_table():
    """Households the charter leaves undetermined are listed apart, with the kind and the rules."""
    loaded = charter("règle « Littoral »\n  si la commune est dans « littoral » et aide au logement\n  alors CAF\n"
                     "règle « Inconnue »\n  si aide au logement est inconnu\n  alors DEPARTEMENT\n"
                     "règle « Autres »\n  sinon DEPARTEMENT\n")
    open_cases = decision_tables(loaded.model).tables[-1]
    assert open_cases.service is None and open_cases.label == "Cas que la charte ne tranche pas"
    (row,) = open_cases.rows
    assert row.kind == "indetermination" and row.rule is None
    assert row.rules == ("Littoral", "Inconnue")
    assert row.cells == ("inconnu", "dans « littoral »")
    assert open_case_text(row) == "indétermination : « Littoral », « Inconnue »"
    assert "<td>indétermination : « Littoral », « Inconnue »</td>" in to_html(describe(loaded))


def test_exception_graph_layers():
    """Exceptions stack in layers above the rules they set aside; uninvolved rules are left out."""
    loaded = charter("règle « A »\n  si aide au logement\n  alors CAF\n"
                     "règle « B », par exception à « A »\n  si le stade est jugement\n  alors DEPARTEMENT\n"
                     "règle « C », par exception à « B »\n  si le bailleur est social\n  alors CAF\n"
                     "règle « D »\n  si la dette est plus de 0 €\n  alors DEPARTEMENT\n"
                     "règle « Autres »\n  sinon DEPARTEMENT\n")
    graph = exception_graph(loaded.model)
    assert {(n.rule, n.layer) for n in graph.nodes} == {("A", 0), ("B", 1), ("C", 2)}
    assert [(e.source, e.target) for e in graph.edges] == [("B", "A"), ("C", "B")]
    image = ET.fromstring(svg(graph))
    boxes = image.findall(".//{http://www.w3.org/2000/svg}g")
    tops = {g.get("data-regle"): float(g.find("{http://www.w3.org/2000/svg}rect").get("y")) for g in boxes}
    assert tops["C"] < tops["B"] < tops["A"]
    assert len(image.findall(".//{http://www.w3.org/2000/svg}path[@class='repartition-exception']")) == 2


def test_exception_graph_avoids_crossings():
    """Rules are reordered under their exceptions (not kept in file order), so no two edges cross here."""
    loaded = charter("règle « A »\n  si aide au logement\n  alors CAF\n"
                     "règle « B »\n  si le bailleur est social\n  alors CAF\n"
                     "règle « C »\n  si le bailleur est autre\n  alors CAF\n"
                     "règle « X », par exception à « A » et « C »\n  si le stade est jugement\n  alors DEPARTEMENT\n"
                     "règle « Y », par exception à « B »\n  si la dette est plus de 0 €\n  alors DEPARTEMENT\n"
                     "règle « Autres »\n  sinon DEPARTEMENT\n")
    graph = exception_graph(loaded.model)
    image = ET.fromstring(svg(graph))
    left = {g.get("data-regle"): float(g.find("{http://www.w3.org/2000/svg}rect").get("x"))
            for g in image.findall(".//{http://www.w3.org/2000/svg}g")}
    for one, other in itertools.combinations(graph.edges, 2):
        assert (left[one.source] - left[other.source]) * (left[one.target] - left[other.target]) >= 0, (one, other)


HOSTILE = '<script>alert("x")</script> & ]]>'


def test_hostile_names_are_escaped():
    """Names and texts from a charter never become markup in the SVG, HTML or Markdown tables."""
    loaded = charter(f"règle « {HOSTILE} »\n  texte « {HOSTILE} »\n  si aide au logement\n  alors CAF\n"
                     f"règle « B », par exception à « {HOSTILE} »\n  si le stade est jugement\n  alors DEPARTEMENT\n"
                     "règle « Autres »\n  sinon DEPARTEMENT\n")
    document = describe(loaded)
    image = svg(document.graph)
    ET.fromstring(image)  # well-formed XML
    assert "<script>" not in image
    page = to_html(document)
    assert "<script>" not in page

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.found.append(tag)

    parser = Tags()
    parser.feed(page)
    assert "svg" in parser.found and "script" not in parser.found
    markdown = to_markdown(document, None)
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "> " + HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in markdown


def test_describe_fiche(fiche):
    """The description carries header, rules with their examples and exceptions, and the dependencies."""
    document = describe(fiche)
    assert document.title == "Dispositif de répartition des signalements reçus par la CCAPEX"
    assert document.validity == "en vigueur à partir du 1er janvier 2018"
    rules = {r.name: r for r in document.rules}
    assert rules["Procédure judiciaire"].exceptions == ("Familles allocataires",)
    assert rules["Familles allocataires"].overridden_by == ("Procédure judiciaire",)
    assert rules["Procédure judiciaire"].definitions == (
        ("en procédure judiciaire", "stade de la procédure au moins assignation"),)
    assert [e.name for e in rules["Procédure judiciaire"].examples] == ["Famille allocataire assignée",
                                                                       "Concours accordé"]
    assert all(e.ok for e in document.examples)
    assert document.indicators == (("ménages en procédure judiciaire non connus des services sociaux",
                                    "« en procédure judiciaire » et non connu des services sociaux"),)
    assert document.dependencies == (str(FICHE),)


def test_dependencies_include_tables():
    """A charter's documentation depends on its table files."""
    document = describe(repartition.load_charter(PETITE, verify=False))
    assert document.dependencies == (str(PETITE), str(PETITE.parent / "communes.csv"))


def test_proof_verdict(fiche):
    """The fiche's verdict is the proof's: proven, examples right, no problem listed."""
    verdict = describe(fiche).verdict
    assert verdict.title == TITLE
    assert verdict.ok and verdict.problems == ()
    assert verdict.summary.startswith("Preuve faite")


def test_proof_problem_in_verdict():
    """A conflict found by the proof fails the verdict, at the line of its first rule, with its example."""
    loaded = charter("règle « A »\n  si les enfants à charge sont au moins 1\n  alors CAF\n"
                     "règle « B »\n  si le stade est aucune\n  alors DEPARTEMENT\nrègle « Autres »\n  sinon CAF\n")
    verdict = describe(loaded).verdict
    assert not verdict.ok and verdict.summary == "La vérification échoue : 1 problème(s)."
    (problem,) = verdict.problems
    assert problem.line == 14 and problem.severity == "erreur" and problem.message.startswith("conflit : ")
    assert "— région : " in problem.message and "— exemple : " in problem.message


def test_failing_example_in_verdict():
    """A wrong example fails the verdict, with its line, and shows what the charter gives instead."""
    loaded = charter("règle « A »\n  si le stade est aucune\n  alors CAF\nrègle « Autres »\n  sinon DEPARTEMENT\n"
                     "exemple « Faux » :\n  enfants à charge : 0, aide au logement : oui, stade : aucune,\n"
                     "  bailleur : social, dette : 0, loyer : 1, commune : 1\n  attendu DEPARTEMENT\n")
    document = describe(loaded)
    assert not document.verdict.ok
    (problem,) = document.verdict.problems
    assert problem.line == 19 and "« Faux »" in problem.message
    (example,) = document.examples
    assert not example.ok and example.obtained == "CAF par « A »"


def test_markdown_and_html_pages(fiche):
    """Both pages show every rule, the tables, the diagram and the verdict."""
    document = describe(fiche)
    page = to_html(document)
    markdown = to_markdown(document, "fiche-exceptions.svg")
    for rule in fiche.rules:
        assert f'id="{rule_anchor(rule.name)}"' in page
        assert f"### {rule.name}" in markdown
    assert page.count('<table class="decision">') == 2
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="repartition-graphe"' in page
    assert "![Exceptions entre les règles](fiche-exceptions.svg)" in markdown
    assert "| au moins 1 | oui | au plus commandement de payer | Familles allocataires |" in markdown
