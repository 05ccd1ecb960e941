"""Parsing: the grammar is conflict-free LALR, accents and case are optional, errors are French."""

from __future__ import annotations

import unicodedata

import pytest

import repartition
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
    text = "charte « T »\nservices\n  CAF : « c »\nrègle « A »\n  si aide >= 1 alors CAF\n"
    with pytest.raises(CharterError) as caught:
        parse_tree(text, "t.regles")
    rendered = str(caught.value)
    assert "t.regles:5:11:" in rendered
    assert "  si aide >= 1 alors CAF" in rendered
    assert rendered.splitlines()[-1].endswith(" " * 10 + "^")


def test_unexpected_end_of_file_is_french():
    """Running out of text mid-rule says so, in French."""
    with pytest.raises(CharterError) as caught:
        parse_tree("charte « T »\nrègle « A »\n  si aide", "t.regles")
    assert "fin du fichier" in caught.value.diagnostics[0].message or "manque" in caught.value.diagnostics[0].message


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
