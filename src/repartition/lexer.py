"""A Pygments lexer for charter rule files (`*.regles`), so that `.. code-block:: regles` is highlighted.

It reads the text with the parser's own contextual lexer, so a keyword is coloured only where the
parser reads a keyword: « au » in « aide au logement » or « date » in « date du signalement » stay
part of the name. From the first syntax error on (a fragment, a file being written) it falls back
to matching keywords by regular expressions.
"""

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
                 "TEXTE", "EXEMPLE", "ARTICLE", "MOTIF", "LIBELLE"}
_TYPES = {"OUI_OU_NON", "NOMBRE_ENTIER", "MONTANT_EN_EUROS", "DATE_TYPE", "CODE_TYPE", "CODE_SHAPE",
          "ETAPE_PARMI", "VALEUR_PARMI"}
_OPERATORS = {"EST", "N_EST_PAS", "AU_MOINS", "AU_PLUS", "PLUS_DE", "MOINS_DE", "ENTRE", "PARMI",
              "DANS", "INCONNU", "CONNU", "FOIS", "ET", "OU", "NON", "D_AU_MOINS", "D_AU_PLUS",
              "SUPERIEUR_A", "SUPERIEUR_OU_EGAL_A", "INFERIEUR_A", "INFERIEUR_OU_EGAL_A", "EGAL_A",
              "AU_DELA_DE", "AVANT", "APRES", "UNIT", "SYMBOL", "ET_DE"}
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


def _kinds() -> dict[str, object]:
    """The token type of each terminal the parser reads."""
    kinds: dict[str, object] = {name: Keyword for name in _KEYWORDS}
    kinds.update({name: Keyword.Declaration for name in _DECLARATIONS})
    kinds.update({name: Keyword.Type for name in _TYPES})
    kinds.update({name: Operator.Word for name in _OPERATORS})
    kinds.update({name: Keyword.Constant for name in _CONSTANTS})
    kinds.update({"COMMENT": Comment.Single, "STRING": String.Double, "IDENT": Name.Variable, "DATE": Literal.Date,
                  "MONEY": Number.Float, "VERSION_TEXT": Number, "CODE_LITERAL": String.Other,
                  "DECIMAL": Number.Float, "INT": Number.Integer, "SERVICE_CODE": Name.Constant, "NAME": Name})
    return kinds


_KINDS = _kinds()


def _parsed(text: str) -> tuple[list, int]:
    """The tokens the parser reads, up to the first syntax error, and where reading stopped."""
    from lark.exceptions import LarkError

    from .dsl.parser import _parser, prepare_text

    if prepare_text(text) != text:  # positions would not match the text shown: use the fallback
        return [], 0
    tokens: list = []
    try:
        for token in _parser().parse_interactive(text).iter_parse():
            tokens.append(token)
    except LarkError:
        pass
    else:
        return tokens, len(text)
    return tokens, tokens[-1].end_pos if tokens else 0


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

    def get_tokens_unprocessed(self, text, stack=("root",)):
        """The parser's tokens as far as it reads the text, then the regular expressions' for the rest."""
        tokens, stop = _parsed(text)
        position = 0
        for token in tokens:
            if token.start_pos > position:
                yield position, Whitespace, text[position:token.start_pos]
            yield token.start_pos, _KINDS.get(token.type, Punctuation), token.value
            position = token.end_pos
        if position < len(text):
            for index, kind, value in super().get_tokens_unprocessed(text[position:], stack):
                yield position + index, kind, value
