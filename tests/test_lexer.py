"""Tests of the Pygments lexer for rule files (alias `regles`)."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

import pytest
from pygments.token import Error, Keyword, Name, Operator, String

from repartition.lexer import ReglesLexer

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted((ROOT / "policies").glob("*.regles"))
DOCUMENTED = sorted((ROOT / "docs" / "exemples").rglob("*.regles"))


def tokens(text: str) -> list:
    return list(ReglesLexer().get_tokens(text))


def test_both_bundled_charters_are_there():
    """The two bundled charters exist, so the next test covers both."""
    assert {p.name for p in BUNDLED} >= {"dispositif-repartition.regles", "exemple-departemental.regles"}


@pytest.mark.parametrize("path", BUNDLED + DOCUMENTED, ids=lambda p: p.name)
def test_no_error_token(path):
    """Every token of the bundled and documented charters gets a non-error type, and none is lost."""
    text = path.read_text(encoding="utf-8")
    found = tokens(text)
    errors = [(value, kind) for kind, value in found if kind in Error]
    assert errors == []
    assert "".join(value for _, value in found).rstrip("\n") == text.rstrip("\n")


def test_an_unexpected_character_is_an_error():
    """A character the language does not know is shown as an error."""
    assert (Error, "@") in tokens("règle « A » @")


def test_keyword_kinds():
    """Multi-word keywords are one token; names, strings and operators get their own kinds."""
    found = [(kind, value) for kind, value in tokens(
        "regle « B », par exception à « A »\n  si les enfants à charge sont au moins 1\n  alors CAF\n")
        if value.strip()]
    assert found[:4] == [(Keyword.Declaration, "regle"), (String.Double, "« B »"),
                         (found[2][0], ","), (Keyword.Declaration, "par exception à")]
    assert (Keyword, "si") in found and (Keyword, "alors") in found
    assert (Operator.Word, "au moins") in found
    assert (Name.Constant, "CAF") in found
    assert (Name, "les enfants à charge") in found


def test_default_rule_keyword():
    """« dans tous les autres cas » is one keyword, while « dans » alone is an operator."""
    found = [(kind, value) for kind, value in tokens(
        "si la commune est dans « x » alors CAF\n  dans tous les autres cas, DEPARTEMENT") if value.strip()]
    assert (Operator.Word, "dans") in found
    assert (Keyword, "dans tous les autres cas") in found


def test_registered_with_pygments():
    """The `pygments.lexers` entry point finds the lexer by alias and by file name."""
    try:
        importlib.metadata.distribution("repartition")
    except importlib.metadata.PackageNotFoundError:
        if os.environ.get("CI") == "true":  # .ci/run installs the package: the entry point must be there
            pytest.fail("repartition n'est pas installé en CI : point d'entrée pygments.lexers introuvable")
        pytest.skip("repartition n'est pas installé (pip install -e .) : pas de point d'entrée")
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename

    assert isinstance(get_lexer_by_name("regles"), ReglesLexer)
    assert isinstance(get_lexer_for_filename("charte.regles"), ReglesLexer)


def test_keywords_inside_names_are_not_coloured():
    """A name is one token, as the parser reads it: « au » and « date » inside names are not keywords."""
    found = [(kind, value) for kind, value in tokens(
        "données du ménage\n  date du signalement [date_signalement] : date\n"
        "règle « A »\n  si aide au logement et la date du signalement est avant le 1er mars 2026\n  alors CAF\n")
        if value.strip()]
    assert (Name, "date du signalement") in found and (Name, "aide au logement") in found
    assert (Name, "la date du signalement") in found
    assert (Keyword.Type, "date") in found  # the type, where the parser reads the keyword
    assert (Operator.Word, "avant le") in found


def test_after_a_syntax_error_keywords_are_matched_by_pattern():
    """A fragment that does not parse is still highlighted, by patterns, from where the parser stopped."""
    found = [(kind, value) for kind, value in tokens("règle « A »\n  si aide au logement\n  @ alors CAF\n")
             if value.strip()]
    assert (Name, "aide au logement") in found  # read by the parser, before the error
    assert (Error, "@") in found and (Keyword, "alors") in found
