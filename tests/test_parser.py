"""Parsing: the grammar is conflict-free LALR, accents and case are optional, errors are French."""

from __future__ import annotations

import unicodedata

import pytest

import repartition
from repartition.dsl.builder import build_ast
from repartition.dsl.mistakes import MISTAKES
from repartition.dsl.parser import MAX_NESTING, build_parser, parse_tree, prepare_text
from repartition.errors import CharterError

from conftest import FICHE, POLICIES


def test_grammar_is_strict_lalr():
    """The grammar builds with strict=True: no shift/reduce conflict, no terminal collision."""
    parser = build_parser(strict=True)
    assert parser.options.parser == "lalr"


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.regles")), ids=lambda p: p.name)
def test_bundled_charters_parse(path):
    """Every bundled charter parses."""
    tree = parse_tree(prepare_text(path.read_text(encoding="utf-8")), path.name)
    assert tree.data == "start"


def test_comments_stay_in_the_tree():
    """Comments are tree nodes (for the formatter), not ignored tokens."""
    tree = parse_tree(prepare_text(FICHE.read_text(encoding="utf-8")), "fiche.regles")
    comments = [t for t in tree.iter_subtrees() if t.data == "comment"]
    assert len(comments) >= 5


def test_decomposed_accents_read_the_same():
    """A file saved with decomposed accents (NFD) gives the same tree as its NFC form."""
    text = FICHE.read_text(encoding="utf-8")
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert parse_tree(prepare_text(decomposed), "f") == parse_tree(prepare_text(text), "f")


def test_unaccented_and_capitalised_keywords():
    """Keywords accept unaccented spellings and any case."""
    text = ("CHARTE « T »\nServices\n  CAF : « c »\nDonnees du menage\n  aide [aide] : Oui Ou Non\n"
            "Definition « d » : aide\nREGLE « A »\n  Reference « r »\n  SI d ALORS CAF\n"
            "regle « B »\n  Dans Tous Les Autres Cas, CAF\n")
    assert parse_tree(prepare_text(text), "t").data == "start"


@pytest.mark.parametrize("written", [
    "par exception à « A » et « B »", "par exception à « A » et à « B »",
    "par exception aux règles « A » et aux règles « B »", "par exception à la règle « A » et à la règle « B »",
])
def test_exceptions_are_listed_as_french_lists_them(written):
    """« et à », « et à la règle », « et aux règles » between the names of the rules set aside read as « et »."""
    def exceptions(text):
        tree = build_ast(parse_tree(prepare_text(text), "t"), "t")
        return [n.text for n in tree.items[-1].exceptions]

    assert exceptions(f"règle « C », {written}\n  sinon CAF\n") == ["A", "B"]


@pytest.mark.parametrize(
    "message, snippet",
    [(message, snippet) for message, snippets in MISTAKES.items() for snippet in snippets],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_typical_mistakes_get_their_message(message, snippet):
    """Each snippet of the table of typical mistakes fails with its own French message."""
    with pytest.raises(CharterError) as caught:
        parse_tree(snippet, "erreur.regles")
    assert caught.value.diagnostics[0].message == message


def test_syntax_error_prints_line_and_caret():
    """A syntax error names file:line:column and shows the line with a caret under the token."""
    text = "charte « T »\nservices\n  CAF : « c »\nrègle « A »\n  si aide est >= 1 alors CAF\n"
    with pytest.raises(CharterError) as caught:
        parse_tree(text, "t.regles")
    rendered = str(caught.value)
    assert "t.regles:5:15:" in rendered
    assert "  si aide est >= 1 alors CAF" in rendered
    assert rendered.splitlines()[-1].endswith(" " * 14 + "^^")


def test_unexpected_end_of_file_is_french():
    """Running out of text mid-rule says so, in French."""
    with pytest.raises(CharterError) as caught:
        parse_tree("charte « T »\nrègle « A »\n  si aide", "t.regles")
    assert "fin du fichier" in caught.value.diagnostics[0].message or "manque" in caught.value.diagnostics[0].message


@pytest.mark.parametrize("char, name", [
    ("\x1b", "caractère de contrôle U+001B (échappement)"), ("\x01", "caractère de contrôle U+0001"),
    ("\x00", "caractère de contrôle U+0000 (octet nul)"), ("\x7f", "caractère de contrôle U+007F (suppression)"),
    ("\x0c", "caractère de contrôle U+000C (saut de page)"),
    ("\x85", "caractère de contrôle U+0085 (saut de ligne NEL)"),
    ("\u2028", "caractère U+2028 (séparateur de ligne)"),
    ("\u202e", "caractère de direction d'écriture U+202E (il change l'ordre d'affichage du texte)"),
    ("\ufffe", "caractère U+FFFE (non-caractère Unicode)"),
    ("\r", "caractère de contrôle U+000D (retour chariot)"),
])
def test_control_characters_are_refused_where_they_are(char, name):
    """A control character (or a line separator, a bidirectional override, a lone CR) in a rule file is an
    error at its line and column, the line shown with the character made visible, never sent as it is."""
    text = f"charte « T »\r\nservices\n\t  CAF : « Caisse{char}d'allocations »\n"
    with pytest.raises(CharterError) as caught:
        parse_tree(prepare_text(text), "t.regles")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 18)
    assert diagnostic.message.startswith(f"{name} interdit dans une charte : ")
    assert char not in str(caught.value)
    assert str(caught.value).splitlines()[-1].endswith("|" + " " * 18 + "^")


def test_tabs_and_crlf_line_ends_are_layout():
    """Tab and CRLF line ends are allowed: only a CR outside a CRLF is refused."""
    assert parse_tree(prepare_text("charte « T »\r\nservices\r\n\tCAF : « c »\r\n"), "t").data == "start"


def test_every_reading_of_a_rule_file_refuses_control_characters(tmp_path):
    """Loading, formatting and choosing among versions all refuse them, as does a text with a lone surrogate."""
    from repartition.dsl.formatter import format_text
    from repartition.versions import load_charter as load_version

    text = FICHE.read_text(encoding="utf-8").replace("Familles allocataires", "Familles\x1b[8m allocataires", 1)
    (tmp_path / "fiche.regles").write_text(text, encoding="utf-8")
    for read in (lambda: repartition.load_charter(tmp_path / "fiche.regles"), lambda: format_text(text, "f"),
                 lambda: load_version(tmp_path, date="2026-01-01"),
                 lambda: repartition.Charter.from_text("charte « T\ud800 »\n", name="t")):
        with pytest.raises(CharterError, match="interdit dans une charte"):
            read()


def test_many_control_characters_are_reported_up_to_the_cap():
    """A file full of control characters gives a bounded list of errors, saying that more follow."""
    from repartition.errors import MAX_DIAGNOSTICS

    with pytest.raises(CharterError) as caught:
        parse_tree("charte « T »\n" + "\x01\n" * 10_000, "t.regles")
    assert len(caught.value.diagnostics) == MAX_DIAGNOSTICS + 1
    assert caught.value.diagnostics[-1].message == "… et d'autres caractères interdits plus loin dans le fichier"


_ARTICLES = """charte « T »
services
  CAF : « c »
données du ménage
  motif du signalement [motif] : oui ou non, motif « Ce que dit le partenaire. »
  article du bail [article] : oui ou non
définition « d » : motif du signalement
  motif « La raison de la définition. »
ensemble « codes » : 1, 2
  motif « La raison de l'ensemble. »
règle « Avant »
  sinon CAF
article 1 : « Premier article »
  motif « Pourquoi cet article. »
règle « A »
  motif « Pourquoi A. »
  si d et article du bail alors CAF
# article 2 : « Commenté, donc privé »
Article « 2.1 » : « Second article »
règle « B »
  si non d alors CAF
"""


def test_articles_group_the_rules_that_follow():
    """An article heads the rules up to the next one; motifs reach the model; `#` lines do not."""
    import repartition

    charter = repartition.Charter.from_text(_ARTICLES, name="t.regles", verify=False)
    model = charter.model
    assert [(a.number, a.title, a.motif, a.rules) for a in model.articles] == [
        ("1", "Premier article", "Pourquoi cet article.", (1,)), ("2.1", "Second article", None, (2,))]
    assert [r.motif for r in model.rules] == [None, "Pourquoi A.", None]
    assert model.fields[0].motif == "Ce que dit le partenaire." and model.fields[1].motif is None
    assert model.definitions[0].motif == "La raison de la définition."
    assert model.sets[0].motif == "La raison de l'ensemble."
    assert "Commenté" not in repr(model)


def test_motif_and_article_words_stay_names():
    """`motif` and `article` are keywords only before their text or number: names may hold them."""
    tree = parse_tree(prepare_text(_ARTICLES), "t.regles")
    names = {str(t.children[0]) for t in tree.iter_subtrees() if t.data == "name"}
    assert {"motif du signalement", "article du bail"} <= names


@pytest.mark.parametrize("declared, shape, length", [
    ("code", None, None), ("code commune", "commune", None), ("Code  Commune", "commune", None),
    ("code de 5 chiffres", "chiffres", 5), ("code de 1 chiffre", "chiffres", 1),
    ("code de 8 caractères", "caracteres", 8), ("CODE DE 2 CARACTERES", "caracteres", 2),
    ("code INSEE", "INSEE", None), ("code de cinq chiffres", "de cinq chiffres", None),
])
def test_codes_declare_their_shape(declared, shape, length):
    """« code », « code commune », « code de N chiffres », « code de N caractères », any case or accents;
    other words after « code » are kept for the checker to name."""
    from repartition.dsl.builder import build_ast

    text = f"données du ménage\n  x [x] : {declared}, peut être inconnu\n"
    (field,) = [i for i in build_ast(parse_tree(prepare_text(text), "t.regles"), "t.regles").items
                if type(i).__name__ == "FieldDecl"]
    assert (field.type.kind, field.type.shape, field.type.length) == ("code", shape, length)
    assert field.may_be_unknown


def test_a_field_named_commune_after_a_plain_code_is_not_its_shape():
    """A plain « code » followed by a field whose name starts with « commune » stays two fields: the
    shape « code commune » is read on one line only."""
    from repartition.dsl.builder import build_ast

    text = ("données du ménage\n  x [x] : code\n  commune [commune] : code commune\n  y : code  # commentaire\n"
            "  commune de naissance : code\n  code postal : code\n")
    items = build_ast(parse_tree(prepare_text(text), "t.regles"), "t.regles").items
    fields = [(i.name.text, i.type.shape) for i in items if type(i).__name__ == "FieldDecl"]
    assert fields == [("x", None), ("commune", "commune"), ("y", None), ("commune de naissance", None),
                      ("code postal", None)]


NESTED = """charte « Imbrications »
services
  A : « A »
  B : « B »
données du ménage
  n [n] : nombre entier d'au moins 0
règle « R »
  si {condition}
  alors A
règle « S »
  sinon B
"""


def _groups(depth: int) -> str:
    """`(n est au moins 1 et (n est au moins 2 ou (…)))`: « et » and « ou » alternating, `depth` deep."""
    condition = "n est au moins 0"
    for i in range(depth):
        condition = f"(n est au moins {i + 1} {'ou' if i % 2 else 'et'} {condition})"
    return condition


@pytest.mark.parametrize("condition", ["non " * 50 + "n est 1", _groups(50), "(" * 50 + "n est 1" + ")" * 50])
def test_fifty_levels_of_nesting_load(condition):
    """MAX_NESTING levels of « non », of « et » / « ou » groups, of parentheses: the charter loads."""
    assert MAX_NESTING == 50
    charter = repartition.Charter.from_text(NESTED.format(condition=condition), name="n.regles", verify=False)
    assert charter.route({"n": 1}).service in ("A", "B")


@pytest.mark.parametrize("condition", [
    "non " * 100_000 + "n est 1",
    _groups(20_000),
    "(" * 200_000 + "n est 1" + ")" * 200_000,
    "(" * 1000 + "n est 1",  # and never closed
    "non " * 51 + "n est 1",
    _groups(51),
])
def test_any_nesting_past_the_limit_is_a_located_error(condition):
    """However deep, a condition past MAX_NESTING is refused with a French error at its line and
    column, before anything recursive runs: never RecursionError, SyntaxError or MemoryError."""
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(NESTED.format(condition=condition), name="n.regles")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span.line == 8 and diagnostic.span.column >= 6
    assert "imbriqu" in diagnostic.message and "50" in diagnostic.message
