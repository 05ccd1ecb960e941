"""A Pygments lexer for charter rule files (`*.regles`), so that `.. code-block:: regles` is highlighted."""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer
from pygments.token import (Comment, Error, Keyword, Literal, Name, Number, Operator, Punctuation, String,
                            Whitespace)

from .resources import grammar_path

__all__ = ["ReglesLexer"]


def _terminals() -> tuple[dict[str, str], set[str]]:
    """The grammar's terminal regexes by name, and its keywords (the terminals of priority 5):
    the lexer highlights exactly what the parser reads."""
    text = grammar_path().read_text(encoding="utf-8")
    found = re.findall(r"^([A-Z_]+)(?:\.(\d+))?: /(.+)/i?$", text, flags=re.MULTILINE)
    return {name: regex for name, _, regex in found}, {name for name, rank, _ in found if rank == "5"}


_TERMINALS, _ALL_KEYWORDS = _terminals()
_DECLARATIONS = {"CHARTE", "REFERENCE", "VERSION", "EN_VIGUEUR_A_PARTIR_DU", "EN_VIGUEUR_DU",
                 "SERVICES", "DONNEES_DU_MENAGE", "ENSEMBLE", "TABLE", "FICHIER", "CLE", "VALEUR",
                 "CODE_ABSENT", "REFUSER", "DEFINITION", "INDICATEUR", "REGLE", "PAR_EXCEPTION_A",
                 "TEXTE", "EXEMPLE"}
_TYPES = {"OUI_OU_NON", "NOMBRE_ENTIER", "MONTANT_EN_EUROS", "DATE_TYPE", "CODE_TYPE",
          "ETAPE_PARMI", "VALEUR_PARMI"}
_OPERATORS = {"EST", "N_EST_PAS", "AU_MOINS", "AU_PLUS", "PLUS_DE", "MOINS_DE", "ENTRE", "PARMI",
              "DANS", "INCONNU", "CONNU", "FOIS", "ET", "OU", "NON", "D_AU_MOINS", "D_AU_PLUS",
              "SUPERIEUR_A", "SUPERIEUR_OU_EGAL_A", "INFERIEUR_A", "INFERIEUR_OU_EGAL_A", "EGAL_A",
              "AU_DELA_DE", "AVANT", "APRES", "UNIT", "SYMBOL"}
_CONSTANTS = {"OUI"}
_KEYWORDS = _ALL_KEYWORDS - _DECLARATIONS - _TYPES - _OPERATORS - _CONSTANTS


def _keyword_rules() -> list[tuple[str, object]]:
    """Keyword rules of every kind, the multi-word ones first, so that « au moins » is not « au »
    and « dans tous les autres cas » is not « dans »."""
    kinds = [(_DECLARATIONS, Keyword.Declaration), (_TYPES, Keyword.Type), (_KEYWORDS, Keyword),
             (_OPERATORS, Operator.Word), (_CONSTANTS, Keyword.Constant)]
    rules = []
    for several_words in (True, False):
        for names, token in kinds:
            patterns = sorted((_TERMINALS[n] for n in names if ("\\s" in _TERMINALS[n]) == several_words),
                              key=len, reverse=True)
            if patterns:
                rules.append((r"(?<![\w’'])(?:" + "|".join(patterns) + ")", token))
    return rules


class ReglesLexer(RegexLexer):
    """Charter rule files of `repartition`: keywords with or without accents, « strings », codes, amounts."""

    name = "Règles de répartition"
    aliases = ["regles"]
    filenames = ["*.regles"]
    mimetypes = ["text/x-regles"]
    url = "https://example.invalid/repartition"  # no public site yet; Pygments only shows it
    flags = re.IGNORECASE | re.UNICODE | re.MULTILINE

    tokens = {
        "root": [
            (r"[ \t\f\r\n\u00a0\u202f]+", Whitespace),
            (_TERMINALS["COMMENT"], Comment.Single),
            (_TERMINALS["STRING"], String.Double),
            (r"\[\s*[a-z_][a-z0-9_]*\s*\]", Name.Variable),
            (_TERMINALS["DATE"], Literal.Date),
            (_TERMINALS["MONEY"], Number.Float),
            (_TERMINALS["VERSION_TEXT"], Number),  # a version such as 2018.1
            (_TERMINALS["CODE_LITERAL"], String.Other),  # a code such as 2A004
            (_TERMINALS["DECIMAL"], Number.Float),
            (_TERMINALS["INT"], Number.Integer),
            *_keyword_rules(),
            ("(?-i:" + _TERMINALS["SERVICE_CODE"] + ")", Name.Constant),  # service codes: CAF, DEPARTEMENT
            (r"[^\W\d_][\w]*(?:['’\-][^\W\d_][\w]*)*", Name),
            (r"[:,()]", Punctuation),
            (r".", Error),
        ],
    }
