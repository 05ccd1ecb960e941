"""How the SQL export reads a table's columns as `Charter.route` reads a household: defaults, unknowns, refusals.

Each column holds a plain SQL type (`column_type`). A `NULL` means the field's default if it has
one, else unknown if the field may be unknown, else the row is `invalide`. Texts (codes, stages and
list values) are read as `values.read_code` and `model.EnumType.index` read them: spaces trimmed
(every character `str.isspace` knows), a code matched whole against its shape, then, for stages
and list values, the machine name or the label in any case, with or without accents and leading
article. The accent and case folding is done character by character (`_FOLDED`) over the Latin
alphabets; a text with a letter outside them that Python would fold is refused (`invalide`), never
read otherwise.

Numbers are read from any numeric column as `values.read_int` and `values.read_money` read the
number it holds, within the same limits (`values.INT_MIN`…`INT_MAX`, `values.MONEY_LIMIT`) and the
field's bounds: a whole number must be whole, an amount must have at most two decimals (a binary
float must be the one nearest to its amount in cents, Python's rule for JSON numbers), and both
are then cast to `bigint` and `numeric(14,2)`, so that every comparison after them is exact. `NaN`
is no value, as in Python (unknown where the field may be, else `invalide`). Yes/no values are read
from their text (`CAST … AS text`): a boolean, 0/1, or the spellings Python reads (oui, non, vrai,
faux, true, false in any case). A date column holding a time of day is refused. A text column where
a number, an amount or a date is expected is refused by the engine itself, before any row (no
implicit conversion of text to numbers or dates, whose rules differ from Python's).
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from decimal import Decimal

from sqlglot import exp

from .. import model as m
from ..values import INT_MAX, INT_MIN, MONEY_LIMIT
from .rows import unit_value

__all__ = ["column_type", "typed_literal", "WHITESPACE", "Reading", "CHARACTERS", "characters"]

#: Every character Python's `str.strip()` and `\s` treat as a space.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# Characters whose accent and case `dsl.names.normalize` folds: Latin letters and combining accents.
_FOLDED_RANGES = ((0x41, 0x5A), (0xC0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF))
# A leading article, as `dsl.names._ARTICLE` finds it (case-insensitive: Python's `s` also matches `ſ`).
_ARTICLE = "^([Ll][Ee][Ssſ]|[Ll][Ee]|[Ll][Aa]|[Ll]') ?"
# The dates Python can represent: any other date of a SQL engine (year 0, `infinity`) is refused.
_FIRST_DAY, _LAST_DAY = _dt.date.min, _dt.date.max
# Yes/no as `values.read_bool` reads text: `casefold()` then these words (casefold maps only these
# letters, ASCII capitals, long s and the Kelvin sign, to the letters and digits the words use).
_TRUE, _FALSE = ("oui", "vrai", "true", "1"), ("non", "faux", "false", "0")
_CAPITALS, _SMALL = "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u017f\u212a", "abcdefghijklmnopqrstuvwxyzsk"
# The text SQL engines give a NaN (DuckDB, PostgreSQL and Spark).
_NAN_TEXTS = ("NaN", "nan")


def _folding() -> tuple[str, str, str, list[tuple[str, str]]]:
    """(from, to, deleted, [(character, several characters)]) folding accents then case, per character."""
    single_from, single_to, deleted, several = [], [], [], []
    for low, high in _FOLDED_RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            folded = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            folded = folded.casefold()
            if folded == char:
                continue
            if len(folded) == 1:
                single_from.append(char)
                single_to.append(folded)
            elif not folded:
                deleted.append(char)
            else:
                several.append((char, folded))
    return "".join(single_from), "".join(single_to), "".join(deleted), several


_FOLD_FROM, _FOLD_TO, _FOLD_DELETED, _FOLD_SEVERAL = _folding()


def column_type(f: m.Field) -> str:
    """The plain SQL type of a field's column: integer (bigint past 32 bits or unbounded),
    numeric(14,2) for amounts, text for codes, stages and list values, boolean, date."""
    kind = f.type
    if isinstance(kind, m.BoolType):
        return "boolean"
    if isinstance(kind, m.MoneyType):
        return "numeric(14,2)"
    if isinstance(kind, m.DateType):
        return "date"
    if isinstance(kind, m.IntType):
        small = kind.minimum is not None and kind.maximum is not None and -2**31 <= kind.minimum \
            and kind.maximum < 2**31
        return "integer" if small else "bigint"
    return "text"


def typed_literal(f: m.Field, value) -> exp.Expression:
    """A constant in the field's unit as a typed SQL literal: amounts exact (numeric), dates as dates."""
    kind = f.type
    if value is None:
        return exp.Null()
    if isinstance(kind, m.BoolType):
        return exp.Boolean(this=bool(value))
    if isinstance(kind, m.MoneyType):
        return exp.cast(exp.Literal.string(f"{value:f}"), exp.DataType.build("DECIMAL(14, 2)"))
    if isinstance(kind, m.DateType):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    if isinstance(kind, m.IntType):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def _strings(values) -> list[exp.Expression]:
    return [exp.Literal.string(v) for v in values]


class Reading:
    """The reading of one field's column: its trimmed text (codes, stages, lists), its value, and
    when it is refused. One method per kind of field, named after `rows.field_kind`."""

    def __init__(self, f: m.Field, raw: exp.Expression):
        self.field = f
        self.raw = raw

    # ---- texts, computed first (the value of a stage needs its folded text) ----
    def text(self) -> exp.Expression | None:
        """The text the value is read from, or None for a typed column."""
        kind = self.field.type
        if isinstance(kind, m.CodeType):
            return _trim(self.raw)
        if isinstance(kind, m.EnumType):
            return _folded(self.raw)
        if isinstance(kind, m.BoolType):
            return _casefolded(_trim(exp.cast(self.raw, "TEXT")))
        return None

    # ---- the value: the default for NULL, else the reading; NULL when unknown (or refused) ----
    def value(self, text: exp.Expression | None) -> exp.Expression:
        f = self.field
        default = typed_literal(f, unit_value(f, f.default)) if f.has_default else exp.Null()
        kind = f.type
        absent = exp.If(this=_is_null(self.raw), true=default)
        if isinstance(kind, m.CodeType):
            blank = exp.EQ(this=text, expression=exp.Literal.string(""))
            return exp.Case(ifs=[absent, exp.If(this=blank, true=exp.Null())], default=text)
        if isinstance(kind, m.EnumType):
            spellings: dict[int, list[str]] = {}
            for spelling, index in kind.spellings.items():
                spellings.setdefault(index, []).append(spelling)
            ifs = [absent]
            for source in (self.raw, text):  # as written first, then folded: as EnumType.index reads
                ifs += [exp.If(this=exp.In(this=source, expressions=_strings(sorted(spellings[i]))),
                               true=exp.Literal.string(kind.values[i].machine)) for i in sorted(spellings)]
            return exp.Case(ifs=ifs)
        if isinstance(kind, m.BoolType):
            return exp.Case(ifs=[absent, *(exp.If(this=exp.In(this=text, expressions=_strings(words)),
                                                  true=exp.Boolean(this=truth))
                                           for truth, words in ((True, _TRUE), (False, _FALSE)))])
        if isinstance(kind, (m.IntType, m.MoneyType)):
            # In range, cast to the exact type (a whole number is whole and an amount has two
            # decimals exactly when the cast keeps it, as `refused` checks); out of range, NULL.
            if isinstance(kind, m.IntType):
                low, high = exp.Literal.number(INT_MIN), exp.Literal.number(INT_MAX + 1)
                target = "BIGINT"
            else:
                low, high = (_money_literal(-MONEY_LIMIT), _money_literal(MONEY_LIMIT))
                target = "DECIMAL(14, 2)"
            # `< 2**63`: a float 2**63 is not below it, though it equals INT_MAX made a float.
            below = exp.LT if isinstance(kind, m.IntType) else exp.LTE
            inside = exp.and_(exp.GTE(this=self.raw, expression=low), below(this=self.raw, expression=high))
            return exp.Case(ifs=[absent, exp.If(this=inside, true=exp.cast(self.raw, exp.DataType.build(target)))])
        if f.has_default:
            return exp.Coalesce(this=self.raw, expressions=[default])
        return self.raw

    def refused(self, text: exp.Expression | None, value: exp.Expression) -> exp.Expression:
        """True when `Charter.validate` would refuse the value (InvalidHousehold)."""
        f = self.field
        parts = []
        if not f.has_default and not f.may_be_unknown:
            parts.append(_is_null(self.raw))
        kind = f.type
        if isinstance(kind, (m.CodeType, m.EnumType, m.BoolType)):
            blank = exp.EQ(this=text if isinstance(kind, m.BoolType) else _trim(self.raw),
                           expression=exp.Literal.string(""))
            if not f.may_be_unknown:
                parts.append(exp.and_(_not_null(self.raw), blank))
            if isinstance(kind, m.CodeType) and kind.pattern is not None:  # written, not blank, not of its shape
                shaped = exp.RegexpLike(this=text, expression=exp.Literal.string(f"^{kind.pattern}$"))
                parts.append(exp.and_(_not_null(self.raw), exp.Not(this=exp.Paren(this=blank)),
                                      exp.Not(this=shaped)))
            if not isinstance(kind, m.CodeType):  # written, not blank, and no value reads it
                parts.append(exp.and_(_not_null(self.raw), exp.Not(this=exp.Paren(this=blank)), _is_null(value)))
        elif isinstance(kind, (m.IntType, m.MoneyType)):
            # A number that the cast changes or that lies out of range (value NULL), but NaN: no value.
            nan = self._nan()
            changed = exp.or_(_is_null(value), exp.NEQ(this=value, expression=self.raw))
            parts.append(exp.and_(_not_null(self.raw), exp.Not(this=exp.Paren(this=nan)), exp.Paren(this=changed)))
            if not f.may_be_unknown:
                parts.append(nan)
            if kind.minimum is not None:
                parts.append(exp.LT(this=value, expression=typed_literal(f, unit_value(f, kind.minimum))))
            if kind.maximum is not None:
                parts.append(exp.GT(this=value, expression=typed_literal(f, unit_value(f, kind.maximum))))
        elif isinstance(kind, m.DateType):
            first, last = typed_literal(f, _FIRST_DAY), typed_literal(f, _LAST_DAY)
            parts.append(exp.Not(this=exp.Between(this=value, low=first, high=last)))
            # A timestamp column: only midnight is a date (Python refuses every date with a time).
            parts.append(exp.NEQ(this=exp.cast(value, "DATE"), expression=value))
        return exp.or_(*parts) if parts else exp.false()

    def _nan(self) -> exp.Expression:
        """Whether the number is NaN: above every number in SQL engines, and written `NaN` (the text is
        only made for the values past the limits)."""
        limit = exp.Literal.number(INT_MAX) if isinstance(self.field.type, m.IntType) else _money_literal(MONEY_LIMIT)
        return exp.and_(exp.GT(this=self.raw, expression=limit),
                        exp.In(this=exp.cast(self.raw, "TEXT"), expressions=_strings(_NAN_TEXTS)))


def _money_literal(cents: int) -> exp.Expression:
    return exp.cast(exp.Literal.string(f"{Decimal(cents).scaleb(-2):f}"), exp.DataType.build("DECIMAL(14, 2)"))


def _is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=e, expression=exp.Null())


def _not_null(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=_is_null(e))


#: The one-row CTE holding the characters the readings trim and fold, written once rather than in every reading.
CHARACTERS = "caracteres"
_CHARACTER_COLUMNS = {
    "espaces": WHITESPACE,  # every kind of space
    "blancs": " " * len(WHITESPACE),  # … each one made a plain space
    "lettres": _FOLD_FROM + _FOLD_DELETED,  # letters with an accent or a case, and combining accents
    "pliees": _FOLD_TO,  # … folded (the combining accents, past its end, are deleted)
    "capitales": _CAPITALS,  # the letters `casefold()` makes those of oui, non, vrai…
    "minuscules": _SMALL,  # … as it makes them
}


def characters() -> tuple[exp.TableAlias, exp.Select]:
    """The CTE `caracteres` (name with its columns, and its one-row SELECT)."""
    alias = exp.TableAlias(this=exp.to_identifier(CHARACTERS, quoted=True),
                           columns=[exp.to_identifier(c, quoted=True) for c in _CHARACTER_COLUMNS])
    return alias, exp.select(*(exp.Literal.string(v) for v in _CHARACTER_COLUMNS.values()))


def _characters(column: str) -> exp.Expression:
    """A column of `caracteres`, which the statement joins once (a scalar subquery in every reading
    would cost the planner more than the whole routing of a large table)."""
    return exp.Column(this=exp.to_identifier(column, quoted=True), table=exp.to_identifier(CHARACTERS, quoted=True))


def _trim(raw: exp.Expression) -> exp.Expression:
    """Spaces of every kind removed at both ends, as `str.strip()` does."""
    return exp.Trim(this=raw, expression=_characters("espaces"), position="BOTH")


def _casefolded(text: exp.Expression) -> exp.Expression:
    """The text as `str.casefold()` makes it, as far as the yes/no words go (`_CAPITALS`)."""
    return exp.func("TRANSLATE", text, _characters("capitales"), _characters("minuscules"))


def _folded(raw: exp.Expression) -> exp.Expression:
    """The text as `dsl.names.normalize` makes it: single spaces, trimmed, ’ as ', no leading article,
    no accents, case folded (per character, over the Latin alphabets)."""
    spaced = exp.func("TRANSLATE", raw, _characters("espaces"), _characters("blancs"))
    single = exp.RegexpReplace(this=spaced, expression=exp.Literal.string(" +"), replacement=exp.Literal.string(" "))
    text = exp.Trim(this=single)
    text = exp.func("REPLACE", text, exp.Literal.string("’"), exp.Literal.string("'"))
    text = exp.RegexpReplace(this=text, expression=exp.Literal.string(_ARTICLE), replacement=exp.Literal.string(""))
    for char, folded in _FOLD_SEVERAL:
        text = exp.func("REPLACE", text, exp.Literal.string(char), exp.Literal.string(folded))
    return exp.func("TRANSLATE", text, _characters("lettres"), _characters("pliees"))
