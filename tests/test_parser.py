"""Parsing: the grammar is conflict-free LALR, accents and case are optional, errors are French."""

from __future__ import annotations

import unicodedata

import pytest

from repartition.dsl.mistakes import MISTAKES
from repartition.dsl.parser import build_parser, parse_tree, prepare_text
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
