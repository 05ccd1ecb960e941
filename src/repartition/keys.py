"""Input keys a charter does not declare: a misspelt field is refused, never read as absent.

A household's extra keys (`identifiant`, `nom`…) are allowed, except a key that looks like a
declared field the household lacks: with it ignored, the field's default would be assumed and
the household routed on a misspelling. Two names look alike when, compared without case,
accents, `_`, `-` or spaces, they are equal or within a Damerau–Levenshtein distance of 1 (names
of at most 5 characters) or 2. In strict mode every undeclared key is refused. The columns that
routing writes (`service`, `regle`…) are never taken for data.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping

from .errors import InvalidHousehold

__all__ = ["KeyCheck", "OUTPUT_COLUMNS", "key_form", "damerau_levenshtein"]

#: Columns that routing adds to its output and rejects: never a misspelt field.
OUTPUT_COLUMNS = frozenset({"service", "regle", "unite", "partenaires", "ligne", "erreur"})

_IGNORED = re.compile(r"[\s_\-]+")
_MEMO_LIMIT = 1024  # verdicts on distinct undeclared keys kept; files repeat the same few


def key_form(name: str) -> str:
    """A name as keys are compared: NFC, lower case, without accents, `_`, `-` or spaces."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", name))
    return _IGNORED.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)).casefold())


def damerau_levenshtein(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and transpositions of two adjacent characters turning
    `a` into `b` (the unrestricted distance of Lowrance and Wagner)."""
    far = len(a) + len(b)  # more than any distance: the border of the table
    rows = [[far] * (len(b) + 2) for _ in range(len(a) + 2)]
    for i in range(len(a) + 1):
        rows[i + 1][1] = i
    for j in range(len(b) + 1):
        rows[1][j + 1] = j
    last_row: dict[str, int] = {}  # character → last row of `a` where it was seen
    for i in range(1, len(a) + 1):
        last_column = 0  # last column of `b` matching a[i - 1] in this row
        for j in range(1, len(b) + 1):
            k, l = last_row.get(b[j - 1], 0), last_column
            cost = 0 if a[i - 1] == b[j - 1] else 1
            if not cost:
                last_column = j
            rows[i + 1][j + 1] = min(rows[i][j] + cost, rows[i + 1][j] + 1, rows[i][j + 1] + 1,
                                     rows[k][l] + (i - k - 1) + 1 + (j - l - 1))
        last_row[a[i - 1]] = i
    return rows[len(a) + 1][len(b) + 1]


def _near(key: str, name: str) -> int | None:
    """The distance between two compared forms when they look alike, else None."""
    limit = 1 if len(name) <= 5 else 2
    if abs(len(key) - len(name)) > limit:
        return None
    distance = damerau_levenshtein(key, name)
    return distance if distance <= limit else None


class KeyCheck:
    """Refuses the keys of a household that a charter does not declare and must not ignore."""

    def __init__(self, fields, strict: bool = False):
        self.strict = strict
        self._declared = frozenset(f.machine for f in fields)
        # Each field answers to its machine name and to its label (`service référent`).
        self._forms = [(f.machine, form) for f in fields for form in dict.fromkeys((key_form(f.machine),
                                                                                     key_form(f.label)))]
        self._verdicts: dict[str, tuple[str, ...]] = {}

    def __call__(self, household: Iterable, absent: Iterable[str]) -> None:
        """Raise InvalidHousehold for the first key refused: one that looks like a field of `absent`
        (declared fields the household lacks), or, in strict mode, any undeclared key."""
        absent = set(absent)
        for key in household:
            if key in self._declared or key in OUTPUT_COLUMNS:
                continue
            alike = self.alike(key)
            chosen = next((name for name in alike if name in absent), None)
            if chosen is not None:
                hint = (f"vouliez-vous dire « {chosen} » ? (donnée absente : sa valeur par défaut serait "
                        f"supposée)")
            elif self.strict:
                hint = "en mode strict, seules les données que la charte déclare sont acceptées"
                if alike:
                    hint = f"vouliez-vous dire « {alike[0]} » ? ({hint})"
            else:
                continue
            raise InvalidHousehold(key if isinstance(key, str) else repr(key), household[key], hint,
                                   undeclared=True)

    def undeclared(self, household) -> None:
        """In strict mode, refuse the first key the charter does not declare (a household that is no
        mapping is left to the reading, which says so)."""
        if isinstance(household, Mapping) and any(k not in self._declared and k not in OUTPUT_COLUMNS
                                                  for k in household):
            self(household, ())

    def keys(self, names: Iterable[str]) -> None:
        """Check a set of keys alone (a CSV header): the declared fields it lacks are the absent ones."""
        names = list(names)
        self(dict.fromkeys(names), self._declared.difference(names))

    def alike(self, key: object) -> tuple[str, ...]:
        """Machine names of the declared fields that `key` looks like, the nearest first."""
        if not isinstance(key, str):
            return ()
        verdict = self._verdicts.get(key)
        if verdict is None:
            form = key_form(key)
            found: dict[str, int] = {}
            for machine, name in self._forms if form else ():  # `_` or `-` alone names nothing
                distance = 0 if form == name else _near(form, name)
                if distance is not None and distance < found.get(machine, 3):
                    found[machine] = distance
            verdict = tuple(sorted(found, key=found.__getitem__))
            if len(self._verdicts) >= _MEMO_LIMIT:
                self._verdicts.clear()
            self._verdicts[key] = verdict
        return verdict
