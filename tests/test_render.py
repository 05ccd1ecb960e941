"""Tests of repartition.render: French sentences, decision tables, exception graph, page writers."""

from __future__ import annotations

import itertools
from html import escape
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from attrs import evolve

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
    """The fiche's first rule reads as a French sentence, its verb agreeing with « les enfants à charge »."""
    assert condition_text(fiche.rules[0].condition) == (
        "les enfants à charge sont au moins 1 et « aide au logement » vaut oui")
    assert rule_sentence(fiche.rules[0]) == (
        "Si les enfants à charge sont au moins 1 et « aide au logement » vaut oui, alors le ménage relève du "
        "service CAF (Service social de la CAF).")


def test_default_rule_sentence(fiche):
    """The default rule reads « Dans tous les autres cas, … »."""
    assert rule_sentence(fiche.rules[2]).startswith("Dans tous les autres cas, le ménage relève du service DEPARTEMENT")


@pytest.mark.parametrize("written, shown", [
    ("le stade n'est pas jugement", "le stade n'est pas jugement"),
    ("non aide au logement", "« aide au logement » vaut non"),
    ("aide au logement est inconnu", "la donnée « aide au logement » est inconnue"),
    ("l'aide au logement est connu", "la donnée « aide au logement » est connue"),
    ("la commune n'est pas dans « littoral »", "la commune ne figure pas dans « littoral »"),
    ("la commune est dans « littoral »", "la commune figure dans « littoral »"),
    ("le bailleur est parmi social, autre", "le bailleur est social ou autre"),
    ("le bailleur n'est pas parmi social, autre", "le bailleur n'est ni social ni autre"),
    ("la dette est entre 100 € et 200 €", "la dette est entre 100,00 € et 200,00 €"),
    ("la dette est au moins 6 fois le loyer", "la dette est d'au moins 6 fois le loyer"),
    ("la dette est plus de 1,5 fois le loyer", "la dette dépasse 1,5 fois le loyer"),
    ("la dette est au moins 1,234567 fois le loyer", "la dette est d'au moins 1,234567 fois le loyer"),
    ("les enfants à charge sont moins de 3", "les enfants à charge sont moins de 3"),
    ("les enfants à charge sont 0", "les enfants à charge sont 0"),
    ("les enfants à charge ne sont pas 0", "les enfants à charge ne sont pas 0"),
    ("le stade est plus de assignation", "le stade est après assignation"),
    ("non (aide au logement et le stade est jugement)", "non (« aide au logement » vaut oui et le stade est jugement)"),
    ("aide au logement et (le stade est jugement ou le bailleur est social)",
     "« aide au logement » vaut oui et (le stade est jugement ou le bailleur est social)"),
    ("aide au logement ou le stade est jugement et le bailleur est social",
     "« aide au logement » vaut oui ou (le stade est jugement et le bailleur est social)"),
    ("aide au logement et le stade est jugement et le bailleur est social",
     "« aide au logement » vaut oui, le stade est jugement et le bailleur est social"),
])
def test_condition_wording(written, shown):
    """Each construct reads as French with its article and an agreeing verb; `non` folds into the
    comparison; a series takes commas; groups get parentheses."""
    assert condition_of(written) == shown


def test_unknown_agrees_with_the_article():
    """« est inconnu » agrees with the article the charter writes (le, la, les); « l' » says « la donnée »."""
    loaded = charter("règle « A »\n  si la dette est au moins 1 € et le stade est jugement\n  alors CAF\n"
                     "règle « B »\n  si l'aide au logement est inconnu et les enfants à charge sont 0\n  alors CAF\n"
                     "règle « Autres »\n  sinon DEPARTEMENT\n")
    fields = {f.machine: f for f in loaded.fields}
    from repartition.render.sentences import _known
    assert _known(fields["dette"], False) == "la dette est inconnue"
    assert _known(fields["stade"], False) == "le stade est inconnu"
    assert _known(fields["enfants"], True) == "les enfants à charge sont connus"
    assert _known(fields["aide"], False) == "la donnée « aide au logement » est inconnue"
    assert _known(fields["bailleur"], False) == "la donnée « bailleur » est inconnue"  # never written with one


def test_type_wording():
    """Declared types read as the charter declares them, stages in order."""
    fields = {f.machine: type_text(f) for f in charter("règle « A »\n  sinon CAF\n").fields}
    assert fields["enfants"] == "nombre entier d'au moins 0"
    assert fields["stade"] == "étape parmi, dans l'ordre : aucune, assignation, jugement"
    assert fields["bailleur"] == "valeur parmi : social, prive, autre"
    assert fields["loyer"] == "montant en euros entre 1,00 € et 5\u202f000,00 €"


def test_a_code_says_its_shape():
    """A code's type says its shape: in its wording (« code de 5 chiffres »), or spelt out for a commune."""
    shaped = repartition.Charter.from_text(
        "charte « C »\nservices\n  A : « a »\ndonnées du ménage\n  commune [commune] : code commune\n"
        "  dossier [dossier] : code de 5 chiffres\n  nom [nom] : code\nrègle « R »\n  sinon A\n", name="c.regles")
    assert [type_text(f) for f in shaped.fields] == [
        "code commune (5 chiffres, ou 2A ou 2B suivis de 3 chiffres)", "code de 5 chiffres", "code"]


def test_fiche_decision_tables(fiche):
    """The fiche's tables: each rule in the columns it reads, « sauf » the rule that takes some of its
    households, and the default rule as « every other case »."""
    tables = decision_tables(fiche.model)
    assert tables.exact
    caf, departement = tables.tables
    assert caf.service == "CAF" and departement.service == "DEPARTEMENT"
    assert caf.columns == ("enfants à charge", "aide au logement")
    assert [(r.cells, r.rule, r.unless) for r in caf.rows] == [
        (("au moins 1", "oui"), "Familles allocataires", ("Procédure judiciaire",))]
    assert departement.columns == ("stade de la procédure",)
    assert [(r.cells, r.rule, r.unless, r.otherwise) for r in departement.rows] == [
        (("au moins assignation",), "Procédure judiciaire", (), False),
        (("—",), "Autres ménages", (), True),
    ]


def test_layout_merges_rows_on_the_columns_their_rule_reads():
    """`layout` takes exact rows from any source: a rule's rows that differ only in columns it does not
    read become one, the columns of a table are those its rows read, and « sauf » names the rules that
    take part of a row's households."""
    from repartition.render.tables import SourceRow, layout

    # Columns: x (cells 1, 2, 4) and y (cells 1, 2). R reads x only; S (exception to R) takes x=1, y=1.
    rows = [SourceRow((1, 2), "A", ("R",), "decision"), SourceRow((2, 3), "A", ("R",), "decision"),
            SourceRow((1, 1), "B", ("S",), "decision"), SourceRow((4, 3), "B", ("D",), "decision")]
    words = {1: "un", 2: "deux", 3: "un ou deux", 4: "quatre", 7: "tout"}
    tables = layout(("x", "y"), (7, 3), rows, {"R": frozenset({0}), "S": frozenset({0, 1}), "D": frozenset()},
                    [("A", "A — a"), ("B", "B — b")], lambda k, mask: words[mask], default="D")
    a, b = tables
    assert a.columns == ("x",)
    assert [(r.cells, r.rule, r.unless) for r in a.rows] == [(("un ou deux",), "R", ("S",))]
    assert b.columns == ("x", "y")
    assert [(r.cells, r.rule, r.otherwise) for r in b.rows] == [(("un", "un"), "S", False),
                                                               (("—", "—"), "D", True)]


def test_tables_fall_back_to_rules_past_budget(fiche):
    """Past the row budget the tables list each rule's own condition and the exceptions over it."""
    tables = decision_tables(fiche.model, max_rows=1)
    assert not tables.exact
    caf = tables.tables[0]
    assert caf.columns == ("ménages concernés",)
    assert caf.rows[0].cells == ("les enfants à charge sont au moins 1 et « aide au logement » vaut oui",)
    assert caf.rows[0].unless == ("Procédure judiciaire",)


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
    assert [r.otherwise for r in tables["DEPARTEMENT"].rows] == [True]  # the rest: « dans tous les autres cas »


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
    assert tables["CAF"].columns == ("aide au logement", "commune")
    assert [r.cells for r in tables["CAF"].rows] == [("oui", "dans « littoral »")]
    assert tables["DEPARTEMENT"].columns == ("aide au logement",)
    assert [(r.rule, r.cells) for r in tables["DEPARTEMENT"].rows] == [("Inconnue", ("inconnu",)), ("Autres", ("—",))]


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
    assert "indétermination : « Littoral », « Inconnue »</td>" in to_html(describe(loaded))


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


SVG = "{http://www.w3.org/2000/svg}"


def _geometry(image):
    """Each rule's box (x, y, width, height), and each arrow's lane x with its vertical span."""
    boxes = {g.get("data-regle"): tuple(float(g.find(SVG + "rect").get(k)) for k in ("x", "y", "width", "height"))
             for g in image.iter(SVG + "g")}
    arrows = []
    for path in image.iter(SVG + "path"):
        if path.get("class") != "repartition-exception":
            continue
        words = path.get("d").split()
        x = float(words[words.index("V") - 2])  # the lane: where the arrow turns down
        arrows.append((x, float(words[2]), float(words[words.index("V") + 1])))
    return boxes, arrows


@pytest.mark.parametrize("path", sorted((ROOT / "policies").glob("*.regles")), ids=lambda p: p.name)
def test_exception_ladder_has_no_arrow_through_a_box(path):
    """Every exception stands above the rules it sets aside; arrows run in lanes right of every box, and
    two arrows of one lane never overlap; the picture keeps its natural width and 12 px text or more."""
    from repartition.render.graph import WIDTH

    loaded = repartition.load_charter(path, verify=False)
    graph = exception_graph(loaded.model)
    image = ET.fromstring(svg(graph))
    boxes, arrows = _geometry(image)
    assert len(arrows) == len(graph.edges)
    for edge in graph.edges:
        assert boxes[edge.source][1] < boxes[edge.target][1]
    right = max(x + width for x, _, width, _ in boxes.values())
    for (x, top, bottom), (other, top2, bottom2) in itertools.combinations(arrows, 2):
        if x == other:
            assert max(top, bottom) < min(top2, bottom2) or max(top2, bottom2) < min(top, bottom)
    assert all(x > right for x, _, _ in arrows)
    assert float(image.get("width")) <= WIDTH
    sizes = [float(t.get("font-size", image.get("font-size"))) for t in image.iter(SVG + "text")]
    assert min(sizes) >= 12


def test_service_colours_are_fixed_by_code():
    """A code has the same colour on every charter; other codes get a stable colour, distinct in a charter."""
    from repartition.render import service_colour

    one = service_colour(("CAF", "DEPARTEMENT", "MSA"))
    other = service_colour(("DEPARTEMENT", "ADIL", "CAF", "CCAS", "BAILLEUR_SOCIAL", "EQUIPE_MOBILE", "CCAPEX"))
    assert one["CAF"] == other["CAF"] and one["DEPARTEMENT"] == other["DEPARTEMENT"]
    assert len(set(other.values())) == len(other)
    invented = service_colour(("CAF", "MAIRIE", "PREFECTURE"))
    assert invented == service_colour(("CAF", "MAIRIE", "PREFECTURE"))
    assert len(set(invented.values())) == 3


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
    quoted = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("]", "\\]")
    assert "> " + quoted in markdown


# Markdown that would be live if a page kept it: links, an image, code, emphasis, a table cell's end,
# and what GitHub turns into links by itself (bare addresses).
LIVE = ("[x](javascript:alert(1)) ![i](https://evil.example/x.png) `code` a|b *gras* _it_ ~~barré~~ "
        "https://evil.example/p www.evil.example a@b.fr \\[y]")


class _Page(HTMLParser):
    """The tags, link targets, images, table rows (as cell counts) and code spans of a rendered page, and its headings' text."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[str] = []
        self.sources: list[str] = []
        self.links: list[str] = []
        self.rows: list[list[int]] = []  # per table, the cell count of each row
        self.headings: list[str] = []
        self.codes: list[str] = []  # the text of each code span
        self._heading: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.sources.append(dict(attrs)["src"])
        elif tag == "a":
            self.links.append(dict(attrs)["href"])
        elif tag == "table":
            self.rows.append([])
        elif tag == "tr":
            self.rows[-1].append(0)
        elif tag in ("td", "th"):
            self.rows[-1][-1] += 1
        elif tag == "h3":
            self._heading = []

    def handle_endtag(self, tag):
        if tag == "h3":
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self.tags and self.tags[-1] == "code":
            self.codes.append(data)


def test_markdown_keeps_charter_text_inert():
    """Charter text in the Markdown page, rendered as GitHub does, gives no link, image, code, emphasis
    or extra table cell (an e-mail address aside): it reads exactly as written."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    from cmarkgfm.cmark import Options

    loaded = charter(f"règle « {LIVE} »\n  texte « {LIVE} »\n  référence « {LIVE} »\n  si aide au logement\n"
                     f"  alors CAF\nrègle « B », par exception à « {LIVE} »\n  si le stade est jugement\n"
                     f"  alors DEPARTEMENT\nrègle « Autres »\n  sinon DEPARTEMENT\n"
                     f"exemple « {LIVE} » :\n  enfants à charge : 1, aide au logement : oui, stade : aucune,\n"
                     f"  bailleur : social, dette : 0, loyer : 500, commune : 17000\n  attendu CAF\n")
    markdown = to_markdown(describe(loaded), "exceptions.svg")
    page = _Page(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))
    assert LIVE in page.headings
    assert page.sources == ["exceptions.svg"]
    assert {"em", "del", "script"}.isdisjoint(page.tags)
    assert set(page.links) == {"mailto:a@b.fr"}  # GitHub links an e-mail address whatever is done
    assert not any("code" in c or "gras" in c for c in page.codes)  # no code span from charter text
    assert page.rows and all(len(set(rows)) == 1 for rows in page.rows)


def test_pages_carry_no_control_character_whatever_the_model():
    """A model built in Python with control characters still gives valid XML for the SVG, and pages
    without those characters: they are shown as U+FFFD."""
    loaded = charter("règle « A »\n  si aide au logement\n  alors CAF\nrègle « B », par exception à « A »\n"
                     "  si le stade est jugement\n  alors DEPARTEMENT\nrègle « Autres »\n  sinon DEPARTEMENT\n")
    document = describe(loaded)
    graph = document.graph
    hostile = "A\x1b[2J\x01\ufffe & <b>"
    graph = evolve(graph, nodes=tuple(evolve(n, rule=hostile) if n.rule == "A" else n for n in graph.nodes),
                   edges=tuple(evolve(e, target=hostile) for e in graph.edges))
    articles = tuple(evolve(a, rules=tuple(evolve(r, name=hostile) if r.name == "A" else r for r in a.rules))
                     for a in document.articles)
    document = evolve(document, title=hostile, graph=graph, articles=articles)
    image = svg(graph)
    assert ET.fromstring(image).find(".//{http://www.w3.org/2000/svg}text") is not None
    for page in (image, to_html(document), to_markdown(document, None)):
        assert not {"\x1b", "\x01", "\ufffe"} & set(page) and "A\ufffd[2J" in page.replace("\\[", "[")


def test_describe_fiche(fiche):
    """The description carries header, rules with their examples and exceptions, and the dependencies."""
    document = describe(fiche)
    assert document.title == "Dispositif de répartition des signalements reçus par la CCAPEX"
    assert document.validity == "en vigueur à partir du 1er janvier 2018"
    rules = {r.name: r for r in document.rules}
    assert rules["Procédure judiciaire"].exceptions == ("Familles allocataires",)
    assert rules["Familles allocataires"].overridden_by == ("Procédure judiciaire",)
    assert rules["Procédure judiciaire"].definitions == (
        ("en procédure judiciaire", "le stade de la procédure est au moins assignation"),)
    assert [e.name for e in rules["Procédure judiciaire"].examples] == ["Famille allocataire assignée",
                                                                       "Concours accordé"]
    assert all(e.ok for e in document.examples)
    assert document.indicators == (("ménages en procédure judiciaire non connus des services sociaux",
                                    "« en procédure judiciaire » et « connu des services sociaux » vaut non"),)
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
    assert problem.correction.startswith("dites quelle règle l'emporte là où elles s'appliquent ensemble : (1) si « A »")
    assert "règle « B », par exception à « A »" in problem.correction


def test_the_page_says_how_to_fix_a_problem():
    """The page's verification section shows each problem's correction under it."""
    from repartition.render.markdown import to_markdown

    loaded = charter("règle « A »\n  si les enfants à charge sont au moins 1\n  alors CAF\n"
                     "règle « B »\n  si le stade est aucune\n  alors DEPARTEMENT\nrègle « Autres »\n  sinon CAF\n")
    page = to_markdown(describe(loaded), None)
    assert "Pour corriger : dites quelle règle l'emporte" in page


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
    assert page.count('<table class="repartition decision">') == 2
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="repartition-graphe"' in page
    assert "![Exceptions entre les règles](fiche-exceptions.svg)" in markdown
    assert "| « Familles allocataires » — sauf : « Procédure judiciaire » | au moins 1 | oui |" in markdown


@pytest.fixture(scope="module")
def departmental():
    return describe(repartition.load_charter(ROOT / "policies" / "exemple-departemental.regles", verify=False))


def test_articles_hold_their_rules_in_order(departmental):
    """The departmental page reads by article, each with its motif and its rules in file order."""
    articles = departmental.articles
    assert [(a.number, a.title) for a in articles] == [
        ("1", "Suivi déjà engagé"), ("2", "Procédure judiciaire"), ("3", "Concours de la force publique"),
        ("4", "Précontentieux, tous bailleurs"), ("5", "Précontentieux, parc privé, par ordre de priorité"),
        ("6", "Autres ménages")]
    assert articles[0].motif.startswith("Un ménage déjà suivi garde son référent")
    assert [r.name for r in articles[5].rules] == ["Autres ménages"]
    assert sum(len(a.rules) for a in articles) == 23
    rules = {r.name: r for r in departmental.rules}
    assert rules["Stade de la procédure inconnu"].motif.startswith("Choix de prudence")


def test_page_publishes_motifs_not_comments(departmental):
    """Motifs reach every rendering; `#` working notes and commented-out text never do."""
    page = to_html(departmental)
    markdown = to_markdown(departmental, None)
    for text in ("Choix de prudence : sans stade connu", "Seuil de l'arrêté préfectoral de la Charente-du-Nord",
                 "Article 5 — Précontentieux, parc privé, par ordre de priorité"):
        assert escape(text) in page and text in markdown
    for note in ("EXEMPLE FICTIF", "l'exception fait seulement citer le suivi en cours", "Comment lire cette charte"):
        assert escape(note) not in page and note not in markdown


def test_every_example_is_shown_once(departmental):
    """Each example appears once on the page, under the rule that decides it."""
    page = to_html(departmental)
    for example in departmental.examples:
        assert page.count(f"<strong>{escape(example.name)}</strong>") == 1, example.name
    rules = {r.name: r for r in departmental.rules}
    assert [e.name for e in rules["Commune à CCAS instructeur"].examples] == [
        "Couple sans enfant à Soyaux-les-Vignes", "Personne isolée à Brissac-le-Haut, commune à CCAS instructeur"]


def test_tables_and_sets_are_shown_truthfully(departmental):
    """A table says what a missing code really does, lists its rows with their labels; sets name their codes."""
    tables = {t.name: t for t in departmental.tables}
    units = tables["unités territoriales"]
    assert units.missing == ("un ménage orienté vers DEPARTEMENT dont « commune » est absent(e) de la table est "
                             "orienté vers l'unité « Direction de l'action sociale — siège »",)
    assert ("96003", "MDS du Nord-Forêt", "Aigrefeuille-la-Montagne") in units.rows and units.size == 50
    ccas = tables["communes à CCAS instructeur"]
    assert ccas.missing == ("une condition « … dans « communes à CCAS instructeur » » est fausse pour un code "
                            "absent de la table",)
    (mobile,) = departmental.sets
    assert ("96003", "Aigrefeuille-la-Montagne") in mobile.values
    page = to_html(departmental)
    assert "<details><summary>Contenu de la table (50 lignes)</summary>" in page
    assert "<summary>Valeurs de l&#x27;ensemble (14 valeurs)</summary>" in page


def test_refusing_table_says_the_household_is_refused():
    """With `code absent : refuser` (the default), the page says the household is refused, not routed."""
    document = describe(repartition.load_charter(ROOT / "docs" / "exemples" / "table-stricte.regles", verify=False))
    (table,) = [t for t in document.tables if any("orienté vers" in s for s in t.missing)]
    assert any("est refusé : il n'est pas orienté" in s for s in table.missing)


def test_standalone_page_has_viewport_contents_and_links(departmental):
    """The standalone page has a viewport, a table of contents, an anchor per rule and links both ways."""
    page = to_html(departmental, "exemple-departemental-exceptions.svg")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<nav class="sommaire" aria-label="Sommaire">' in page
    for rule in departmental.rules:
        assert f'<section id="{rule.anchor}" class="regle">' in page
        assert page.count(f'href="#{rule.anchor}"') >= 2  # the contents, and the summary or a table
    assert '<dt>Écartée par</dt><dd><a href="#regle-procedure-judiciaire">' in page
    assert '<a href="exemple-departemental-exceptions.svg">Ouvrir le schéma seul, en grand</a>' in page
    assert page.index('id="verification"') < page.index('id="qui-va-ou"') < page.index('id="article-1"')


def test_determiners_are_whole_words():
    """« la » of « laboratoire » or « le » of « lettre » is no article: such a label is quoted instead."""
    loaded = repartition.Charter.from_text(
        "charte « T »\nservices\n  A : « a »\ndonnées du ménage\n  lettre reçue [lettre] : oui ou non\n"
        "  lieu [lieu] : code\n  laboratoire [labo] : nombre entier\n"
        "règle « R »\n  si laboratoire est 1 et le lieu est 75001 et lettre reçue est oui\n  alors A\n",
        name="t.regles", verify=False)
    assert condition_text(loaded.rules[0].condition) == (
        "« laboratoire » est 1, le lieu est 75001 et « lettre reçue » vaut oui")
