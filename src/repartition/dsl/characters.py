"""Characters no rule file or table may hold (controls, line separators, direction overrides), named in French."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["FORBIDDEN_IN_RULES", "FORBIDDEN_IN_CELLS", "character_name", "visible"]

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls (NEL among them);
# the line and paragraph separators, which `str.splitlines` would count as line ends and shift every
# line number after them; the bidirectional embeddings, overrides and isolates, which show a text
# in another order than it is read; surrogates and U+FFFE, U+FFFF, which XML does not allow.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
#: In a rule file: tab and line feed are layout, carriage return only as part of a CRLF line end.
FORBIDDEN_IN_RULES = re.compile(f"[{_ALWAYS}]|\r(?!\n)")
#: In a table cell (the line end already removed): a tab or carriage return is no more allowed.
FORBIDDEN_IN_CELLS = re.compile(f"[\t\r{_ALWAYS}]")

_NAMES = {
    "\x00": "octet nul", "\t": "tabulation", "\x0b": "tabulation verticale", "\x0c": "saut de page",
    "\r": "retour chariot", "\x1b": "échappement", "\x7f": "suppression", "\x85": "saut de ligne NEL",
    "\u2028": "séparateur de ligne", "\u2029": "séparateur de paragraphe",
}
_PICTURES = {**{chr(c): chr(0x2400 + c) for c in range(0x20)}, "\x7f": "\u2421"}  # ␀ … ␟, ␡


def character_name(char: str) -> str:
    """« caractère de contrôle U+001B (échappement) », or the kind and name of another forbidden character."""
    code = f"U+{ord(char):04X}"
    if char in _NAMES:
        kind = "caractère de contrôle" if unicodedata.category(char) == "Cc" else "caractère"
        return f"{kind} {code} ({_NAMES[char]})"
    if unicodedata.category(char) == "Cc":
        return f"caractère de contrôle {code}"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return f"caractère de direction d'écriture {code} (il change l'ordre d'affichage du texte)"
    if "\ud800" <= char <= "\udfff":
        return f"caractère {code} (demi-codet de substitution isolé)"
    return f"caractère {code} (non-caractère Unicode)"


def visible(line: str) -> str:
    """The line with each forbidden character (tab kept) shown as a symbol of one column, for a caret below it."""
    return FORBIDDEN_IN_CELLS.sub(lambda match: match[0] if match[0] == "\t" else _PICTURES.get(match[0], "\ufffd"),
                              line)
