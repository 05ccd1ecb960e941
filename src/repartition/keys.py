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


def damerau_levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Insertions, deletions, substitutions and transpositions of two adjacent characters turning
    `a` into `b` (the unrestricted distance of Lowrance and Wagner).

    With `limit`, any distance past it is returned as `limit + 1`, in time proportional to
    `len(a) * limit`: only cells within `limit` of the diagonal are computed (a prefix distance is at
    least the difference of the lengths), and a row whose cells all exceed `limit` ends the search.
    """
    if limit is None:
        limit = len(a) + len(b)
    far = limit + 1
    if abs(len(a) - len(b)) > limit:
        return far
    rows = [[far] * (len(b) + 2) for _ in range(len(a) + 2)]  # row and column 0: the border
    for i in range(min(len(a), limit) + 1):
        rows[i + 1][1] = i
    for j in range(min(len(b), limit) + 1):
        rows[1][j + 1] = j
    last_row: dict[str, int] = {}  # character → last row of `a` where it was seen
    for i in range(1, len(a) + 1):
        last_column = 0  # last column of `b` matching a[i - 1] in this row
        best = rows[i + 1][1]
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            k, l = last_row.get(b[j - 1], 0), last_column
            cost = 0 if a[i - 1] == b[j - 1] else 1
            if not cost:
                last_column = j
            value = min(rows[i][j] + cost, rows[i + 1][j] + 1, rows[i][j + 1] + 1,
                        rows[k][l] + (i - k - 1) + 1 + (j - l - 1))
            rows[i + 1][j + 1] = value
            best = min(best, value)
        if best > limit:  # every path to the end crosses this row
            return far
        last_row[a[i - 1]] = i
    return min(rows[len(a) + 1][len(b) + 1], far)


def _near(key: str, name: str) -> int | None:
    """The distance between two compared forms when they look alike, else None."""
    limit = 1 if len(name) <= 5 else 2
    distance = damerau_levenshtein(key, name, limit)
    return distance if distance <= limit else None


class KeyCheck:
    """Refuses the keys of a household that a charter does not declare and must not ignore."""

    def __init__(self, fields, strict: bool = False):
        self.strict = strict
        self._declared = frozenset(f.machine for f in fields)
        # Each field answers to its machine name and to its label (`service référent`).
        self._forms = {f.machine: tuple(dict.fromkeys((key_form(f.machine), key_form(f.label)))) for f in fields}
        self._distances: dict[tuple[str, str], int | None] = {}

    def __call__(self, household: Iterable, absent: Iterable[str]) -> None:
        """Raise InvalidHousehold for the first key refused: one that looks like a field of `absent`
        (declared fields the household lacks), or, in strict mode, any undeclared key."""
        absent = set(absent)
        absent = [machine for machine in self._forms if machine in absent]  # in declaration order
        for key in household:
            if key in self._declared or key in OUTPUT_COLUMNS:
                continue
            alike = self.alike(key, absent)
            if alike:
                hint = (f"vouliez-vous dire « {alike[0]} » ? (donnée absente : sa valeur par défaut serait "
                        f"supposée)")
            elif self.strict:
                hint = "en mode strict, seules les données que la charte déclare sont acceptées"
                alike = self.alike(key, self._forms)
                if alike:
                    hint = f"vouliez-vous dire « {alike[0]} » ? ({hint})"
            else:
                continue
            raise InvalidHousehold(key if isinstance(key, str) else repr(key), household[key], hint,
                                   code="champ_non_declare")

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

    def alike(self, key: object, machines: Iterable[str]) -> tuple[str, ...]:
        """Those of the fields `machines` that `key` looks like, the nearest first."""
        if not isinstance(key, str):
            return ()
        found = {}
        for machine in machines:
            distance = self._distance(key, machine)
            if distance is not None:
                found[machine] = distance
        return tuple(sorted(found, key=found.__getitem__))

    def _distance(self, key: str, machine: str) -> int | None:
        """How far `key` is from a field's names when it looks like one of them, else None (kept:
        files repeat the same few keys)."""
        pair = (key, machine)
        if pair in self._distances:
            return self._distances[pair]
        form = key_form(key)
        distances = [0 if form == name else _near(form, name) for name in self._forms[machine]] if form else []
        distance = min((d for d in distances if d is not None), default=None)  # `_` alone names nothing
        if len(self._distances) >= _MEMO_LIMIT:
            self._distances.clear()
        self._distances[pair] = distance
        return distance
