"""A Pygments lexer for charter rule files (`*.regles`), so that `.. code-block:: regles` is highlighted."""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, words
from pygments.token import (Comment, Error, Keyword, Literal, Name, Number, Operator, Punctuation, String,
                            Whitespace)

__all__ = ["ReglesLexer"]

_A = "[àa]"
_E = "[éeèêë]"
_END = r"(?![\w’'])"  # a keyword is a whole word: not followed by a letter, digit or apostrophe
_START = r"(?<![\w’'])"

# Multi-word keywords come first so that "par exception à" is not read as "par".
_DECLARATIONS = [
    rf"en\s+vigueur\s+{_A}\s+partir\s+du", r"en\s+vigueur\s+du",
    rf"donn{_E}es\s+du\s+m{_E}nage", rf"code\s+absent",
    rf"par\s+exception\s+(?:{_A}\s+la\s+r{_E}gle|aux\s+r{_E}gles|{_A}|aux)",
    "charte", rf"r{_E}f{_E}rence", "version", "services", "ensemble", "table", "fichier", rf"cl{_E}",
    rf"d{_E}finition", "indicateur", rf"r{_E}gle", "texte", "exemple", "valeur", "refuser",
]
_KEYWORDS = [
    r"dans\s+tous\s+les\s+autres\s+cas", rf"unit{_E}s?\s+selon\s+la\s+table", rf"d['’]apr{_E}s",
    rf"peut\s+{_E}tre\s+inconnue?", rf"par\s+d{_E}faut", "si", "alors", "sinon", "attendue?", "par",
]
_TYPES = [
    r"oui\s+ou\s+non", r"nombre\s+entier", r"montant\s+en\s+euros", rf"{_E}tape\s+parmi", r"valeur\s+parmi",
    "date", "code",
]
_OPERATORS = [
    r"n['’](?:est|sont)\s+pas", r"d['’]au\s+moins", r"d['’]au\s+plus", r"au\s+moins", r"au\s+plus",
    r"(?:de\s+)?plus\s+de", r"(?:de\s+)?moins\s+de", rf"apr{_E}s\s+le", r"avant\s+le",
    "est", "sont", "entre", "parmi", "dans", "inconnue?", "connue?", "fois", "et", "ou", "non",
]
_CONSTANTS = ["oui"]

_MONTHS = (rf"janvier|f{_E}vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|"
           rf"d{_E}cembre")


def _any(patterns: list[str]) -> str:
    return _START + "(?:" + "|".join(patterns) + ")" + _END


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
            (r"#[^\n]*", Comment.Single),
            (r"«[^»]*»", String.Double),
            (r'"[^"\n]*"', String.Double),
            (r"\[\s*[a-z_][a-z0-9_]*\s*\]", Name.Variable),
            (rf"\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{4}}|(?:1er|\d{{1,2}})\s+(?:{_MONTHS})\s+\d{{4}}",
             Literal.Date),
            (r"-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?\s*(?:€|euros?\b)|-?\d+(?:[.,]\d+)?\s*(?:€|euros?\b)",
             Number.Float),
            (r"\d+(?:\.\d+)+[\w.\-]*", Number),  # a version such as 2018.1
            (r"-?\d+,\d+", Number.Float),
            (r"-?\d+", Number.Integer),
            (_any(_DECLARATIONS), Keyword.Declaration),
            (_any(_TYPES), Keyword.Type),
            (_any(_KEYWORDS), Keyword),  # before the operators: "dans tous les autres cas" is not "dans"
            (_any(_OPERATORS), Operator.Word),
            (_any(_CONSTANTS), Keyword.Constant),
            (r"(?-i:[A-Z][A-Z0-9_]+)\b", Name.Constant),  # service codes: CAF, DEPARTEMENT
            (r"[^\W\d_][\w]*(?:['’\-][^\W\d_][\w]*)*", Name),
            (r"[:,()]", Punctuation),
            (r".", Error),
        ],
    }
