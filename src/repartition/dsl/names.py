"""How names written in rule files are compared and suggested: case, accents and articles ignored."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

__all__ = ["normalize", "machine_name", "suggest", "clean_text", "strip_accents", "number_in_words",
           "of_name", "NUMBER_WORDS"]

_ARTICLE = re.compile(r"^(?:les|le|la|l['’])\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_WHOLE_ARTICLE = re.compile(r"(?:les|le|la)\s+|l['’]\s*", re.IGNORECASE)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=4096)  # the same labels are looked up over and over while checking
def normalize(name: str) -> str:
    """The lookup key of a name: no leading article, no accents, lower case, single spaces."""
    text = _SPACES.sub(" ", name.strip()).replace("’", "'")
    text = _ARTICLE.sub("", text)
    return strip_accents(text).casefold()


def machine_name(label: str) -> str:
    """The CSV/JSON name derived from a French label: `commandement de payer` → `commandement_de_payer`."""
    text = strip_accents(label.strip()).casefold().replace("’", "'")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def suggest(name: str, candidates: list[str]) -> str:
    """A French hint naming the closest candidate, or an empty string."""
    keys = {normalize(c): c for c in candidates}
    close = difflib.get_close_matches(normalize(name), list(keys), n=1, cutoff=0.6)
    return f" ; vouliez-vous dire « {keys[close[0]]} » ?" if close else ""


def clean_text(quoted: str) -> str:
    """The content of a « … » or "…" string with its line breaks and indentation folded."""
    inner = quoted[1:-1]
    return _SPACES.sub(" ", inner).strip()


#: Whole numbers written in words, as charters write small counts and factors (« trois fois le loyer »).
NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "vingt": 20,
}


def number_in_words(text: str) -> int | None:
    """The number a word stands for (« trois » → 3, « dix sept » → 17), or None."""
    return NUMBER_WORDS.get(_SPACES.sub("-", text.strip()).casefold())


def of_name(name: str) -> str:
    """A name after « de », contracted as French writes it: « le loyer » → « du loyer », « les charges »
    → « des charges », « la dette » → « de la dette », « aide » → « d'aide »."""
    article = _WHOLE_ARTICLE.match(name)
    rest = name[article.end():] if article else name
    word = article.group(0).strip().casefold().replace("’", "'") if article else ""
    if word == "le":
        return f"du {rest}"
    if word == "les":
        return f"des {rest}"
    if word == "la":
        return f"de la {rest}"
    if word:
        return f"de l'{rest}"
    return f"d'{rest}" if rest[:1].casefold() in "aeiouyéèêàâîôûh" else f"de {rest}"
