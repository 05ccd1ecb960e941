"""The checked charter: typed fields, resolved conditions, rules with their exceptions, examples."""

from __future__ import annotations

import datetime as _dt
import itertools
import re
import string
from decimal import Decimal
from fractions import Fraction
from typing import Mapping

from attrs import field, frozen

from .dsl.names import normalize
from .errors import Span
from .values import (BadValue, OutOfRange, date_text, money_text, read_bool, read_code, read_date, read_int,
                     read_money)

__all__ = [
    "BoolType", "IntType", "MoneyType", "DateType", "CodeType", "EnumType", "EnumValue",
    "FieldType", "Field", "Table", "code_wording", "NamedSet", "Unit", "Service", "Definition",
    "Compare", "Between", "Among", "Linear", "Duration", "Known", "Truth", "Not", "All", "Any", "DefinitionRef",
    "Condition", "Rule", "Article", "Indicator", "Example", "CharterModel", "NO_DEFAULT",
]

NO_DEFAULT = None  # a field without a default value
_POS = dict(eq=False, default=None)


# ---- field types: each reads raw input into its internal value and shows it back --------------

@frozen
class BoolType:
    expected = "oui ou non"
    ordered = False

    def read(self, raw: object) -> bool:
        return read_bool(raw)

    def external(self, value: bool) -> bool:
        return value

    def text(self, value: bool) -> str:
        return "oui" if value else "non"


@frozen
class _Bounded:
    minimum: int | None = None
    maximum: int | None = None
    ordered = True

    def _read(self, reader, raw: object) -> int:
        """Read with `reader`, within the bounds; any failure says the whole of what is expected."""
        try:
            value = reader(raw)
        except OutOfRange:
            raise  # beyond what any backend holds: say that range, not the field's
        except BadValue:
            raise BadValue(self.expected) from None
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise BadValue(self.expected)
        return value

    def bounds_text(self) -> str:
        """« d'au moins 0 », « entre 1,00 € et 5 000,00 € », or nothing."""
        low = None if self.minimum is None else self.text(self.minimum)
        high = None if self.maximum is None else self.text(self.maximum)
        if low is not None and high is not None:
            return f" entre {low} et {high}"
        if low is not None:
            return f" d'au moins {low}"
        if high is not None:
            return f" d'au plus {high}"
        return ""


@frozen
class IntType(_Bounded):
    @property
    def expected(self) -> str:
        return "un nombre entier" + self.bounds_text()

    def read(self, raw: object) -> int:
        return self._read(read_int, raw)

    def external(self, value: int) -> int:
        return value

    def text(self, value: int) -> str:
        return str(value)


@frozen
class MoneyType(_Bounded):
    """Amounts in integer cents: `dette ≥ 6 × loyer` is exact to the cent."""

    @property
    def expected(self) -> str:
        return "un montant en euros avec au plus deux décimales" + self.bounds_text()

    def read(self, raw: object) -> int:
        return self._read(read_money, raw)

    def external(self, value: int) -> Decimal:
        return Decimal(value).scaleb(-2)

    def text(self, value: int) -> str:
        return money_text(value)


@frozen
class DateType:
    expected = "une date (AAAA-MM-JJ ou JJ/MM/AAAA)"
    ordered = True
    minimum = None
    maximum = None

    def read(self, raw: object) -> int:
        return read_date(raw)

    def external(self, value: int) -> _dt.date:
        return _dt.date.fromordinal(value)

    def text(self, value: int) -> str:
        return date_text(value)


@frozen
class CodeType:
    """Text naming a thing (a commune, a file…), compared with sets and tables, never ordered.

    A code may declare its shape: `commune` (the INSEE code: 5 digits, or 2A/2B then 3 digits),
    `chiffres` (`length` ASCII digits) or `caracteres` (`length` ASCII letters or digits, case
    kept). Input values and the charter's codes that do not fit are refused, never guessed.
    """

    shape: str | None = None
    length: int | None = None
    ordered = False
    _pattern: re.Pattern | None = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self):
        if (self.shape in ("chiffres", "caracteres")) != (self.length is not None) or self.shape not in _CODE_SHAPES:
            raise ValueError(f"inconsistent code shape {self.shape!r} of length {self.length!r}")
        object.__setattr__(self, "_pattern", self.pattern and re.compile(self.pattern, re.ASCII))

    @property
    def pattern(self) -> str | None:
        """The shape as a regular expression, to be matched whole, that reads alike in Python, ECMAScript
        (JSON Schema, HTML), the SQL engines' (POSIX, RE2, Java) and XPath's (FEEL): ASCII classes,
        counts and one group, nothing else. None: any non-blank text."""
        pattern = _CODE_SHAPES[self.shape]
        return pattern and pattern.format(n=self.length)

    @property
    def wording(self) -> str:
        """The type as the charter declares it: « code », « code commune », « code de 5 chiffres »."""
        return code_wording(self.shape, self.length)

    @property
    def expected(self) -> str:
        if self.shape is None:
            return "un code (texte non vide)"
        if self.shape == "commune":
            return "un code commune INSEE : 5 chiffres, ou 2A ou 2B suivis de 3 chiffres (par exemple 33063, 2A004)"
        if self.shape == "chiffres":
            return f"un {self.wording}"
        return f"un {self.wording} (lettres sans accent ou chiffres)"

    def fits(self, text: str) -> bool:
        """Whether a text (already trimmed) has the code's shape."""
        return self._pattern is None or self._pattern.fullmatch(text) is not None

    def read(self, raw: object) -> str:
        if self._pattern is None or type(raw) is int:  # an integer: read_code says why it is refused
            return read_code(raw)
        if isinstance(raw, str) and self._pattern.fullmatch(text := raw.strip()):
            return text
        raise BadValue(self.expected)

    @property
    def size(self) -> int | None:
        """How many codes have this shape (None: no limit)."""
        if self.shape is None:
            return None
        if self.shape == "commune":
            return 10**5 + 2 * 10**3
        return (10 if self.shape == "chiffres" else 62) ** self.length

    def fresh(self, taken) -> str | None:
        """A code of this shape outside `taken` (the proof's « any other code »), or None."""
        return next((c for c in self._candidates() if c not in taken), None)

    def _candidates(self):
        if self.shape is None:
            yield from ("99999", "00000", "XXXXX")
            yield from (f"Z{n}" for n in itertools.count())
        elif self.shape == "commune":
            yield from (f"{n:05d}" for n in range(99999, -1, -1))
            yield from (f"2{letter}{n:03d}" for letter in "BA" for n in range(999, -1, -1))
        else:
            alphabet = "9876543210" + ("" if self.shape == "chiffres" else string.ascii_uppercase[::-1]
                                      + string.ascii_lowercase[::-1])
            yield from map("".join, itertools.product(alphabet, repeat=self.length))

    def external(self, value: str) -> str:
        return value

    def text(self, value: str) -> str:
        return value


def code_wording(shape: str | None, length: int | None) -> str:
    """A code type as the charter writes it: « code », « code commune », « code de 5 chiffres »."""
    if shape not in ("chiffres", "caracteres"):
        return "code" if shape is None else f"code {shape}"
    unit = "chiffre" if shape == "chiffres" else "caractère"
    return f"code de {length} {unit}{'s' if length > 1 else ''}"


#: The regular expression of each code shape, `{n}` standing for its length.
_CODE_SHAPES = {None: None, "commune": "([0-9]{{5}}|2[AB][0-9]{{3}})", "chiffres": "[0-9]{{{n}}}",
                "caracteres": "[0-9A-Za-z]{{{n}}}"}


@frozen
class EnumValue:
    label: str
    machine: str


@frozen
class EnumType:
    """Stages (ordered) or an unordered list of values; internally the value's index."""

    values: tuple[EnumValue, ...]
    ordered: bool
    _lookup: Mapping[str, int] = field(eq=False, init=False, repr=False)

    def __attrs_post_init__(self):
        lookup = {}
        for index, value in enumerate(self.values):
            for spelling in (value.machine, value.label):
                lookup[spelling] = index
                lookup[normalize(spelling)] = index
        object.__setattr__(self, "_lookup", lookup)

    @property
    def minimum(self) -> int:
        return 0

    @property
    def maximum(self) -> int:
        return len(self.values) - 1

    @property
    def expected(self) -> str:
        return "une des valeurs : " + ", ".join(v.machine for v in self.values)

    @property
    def spellings(self) -> Mapping[str, int]:
        """Every spelling `index` finds as written (machine names, labels and their lookup keys)."""
        return self._lookup

    def index(self, text: str) -> int | None:
        found = self._lookup.get(text)
        return found if found is not None else self._lookup.get(normalize(text))

    def read(self, raw: object) -> int:
        if isinstance(raw, str):
            found = self.index(raw)
            if found is not None:
                return found
        raise BadValue(self.expected)

    def external(self, value: int) -> str:
        return self.values[value].machine

    def text(self, value: int) -> str:
        return self.values[value].label


FieldType = BoolType | IntType | MoneyType | DateType | CodeType | EnumType


@frozen
class Field:
    """A data declaration: French label for rules, machine name for CSV/JSON, type, unknown, default."""

    label: str
    machine: str
    type: FieldType
    index: int
    may_be_unknown: bool = False
    default: object = NO_DEFAULT
    has_default: bool = False
    motif: str | None = None  # the published reason of the declaration
    # « les », « la », « l' »… as the charter's conditions write the label, for French sentences.
    determiner: str | None = field(default=None, eq=False)
    span: Span | None = field(**_POS)

    def text(self, value: object) -> str:
        return "inconnu" if value is None else self.type.text(value)

    def external(self, value: object) -> object:
        return None if value is None else self.type.external(value)


# ---- tables, sets, services ---------------------------------------------------------------------

@frozen
class Table:
    """A CSV file next to the charter mapping a code to a value (e.g. commune → territorial unit)."""

    name: str
    path: str
    key_column: str
    value_column: str | None
    mapping: Mapping[str, str] = field(eq=False, repr=False)
    missing: str | None  # value for a code the table lacks; None: such a household is refused
    sha256: str
    motif: str | None = None
    labels: Mapping[str, str] = field(eq=False, repr=False, factory=dict)  # code → its name, if declared
    span: Span | None = field(**_POS)
    #: The line of the table file where each code is written, for messages about a code.
    key_lines: Mapping[str, int] = field(factory=dict, eq=False, repr=False)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.mapping)


@frozen
class NamedSet:
    name: str
    values: frozenset
    motif: str | None = None
    span: Span | None = field(**_POS)


@frozen
class Unit:
    """A service's sub-unit, looked up in a table from a field (e.g. the commune)."""

    table: Table
    field: Field


@frozen
class Service:
    code: str
    label: str
    unit: Unit | None = None
    span: Span | None = field(**_POS)


# ---- conditions: resolved, typed, constants in internal form -----------------------------------

@frozen
class Compare:
    """`field op value` with op among eq, ne, ge, gt, le, lt; value in the field's internal form."""

    field: Field
    op: str
    value: object
    span: Span | None = field(**_POS)


@frozen
class Between:
    field: Field
    low: object
    high: object
    span: Span | None = field(**_POS)


@frozen
class Among:
    """Membership in a literal list (`parmi`), a named set or a table's keys (`dans « … »`)."""

    field: Field
    values: frozenset
    source: str | None = None
    span: Span | None = field(**_POS)


@frozen
class Linear:
    """`Σ left op factor × Σ right`, or `Σ left op constant` when `right` is empty: amounts, whole
    numbers or dates compared exactly (`la dette est au moins 2 fois la somme du loyer et des
    charges`, `la somme du loyer et des charges est au moins 1 000 €`, `la date A est après la date B`)."""

    left: tuple[Field, ...]
    op: str
    factor: Fraction
    right: tuple[Field, ...]
    constant: int = 0  # internal units (cents, a count), when `right` is empty
    span: Span | None = field(**_POS)


@frozen
class Duration:
    """`field op amount unit avant|après other`: two dates a whole number of days, calendar months or
    years apart (`la date du premier impayé est au moins 3 mois avant la date du signalement`).

    `field … avant other` means `field + amount unit op other`; `après`, `other + amount unit op field`.
    Months are counted by `runtime.add_months`; a year is 12 months."""

    field: Field
    op: str
    amount: int
    unit: str  # jours, mois or ans
    after: bool
    other: Field
    span: Span | None = field(**_POS)

    @property
    def earlier(self) -> Field:
        """The date the offset is added to."""
        return self.other if self.after else self.field

    @property
    def later(self) -> Field:
        return self.field if self.after else self.other


@frozen
class Known:
    """`est connu`: true or false, never unknown."""

    field: Field
    span: Span | None = field(**_POS)


@frozen
class Truth:
    """A yes/no field used as a condition."""

    field: Field
    span: Span | None = field(**_POS)


@frozen
class Not:
    operand: "Condition"
    span: Span | None = field(**_POS)


@frozen
class All:
    operands: tuple["Condition", ...]
    span: Span | None = field(**_POS)


@frozen
class Any:
    operands: tuple["Condition", ...]
    span: Span | None = field(**_POS)


@frozen
class Definition:
    name: str
    condition: "Condition"
    motif: str | None = None
    span: Span | None = field(**_POS)


@frozen
class DefinitionRef:
    definition: Definition
    span: Span | None = field(**_POS)


Condition = Compare | Between | Among | Linear | Duration | Known | Truth | Not | All | Any | DefinitionRef


# ---- rules, indicators, examples, the charter ---------------------------------------------------

@frozen
class Rule:
    name: str
    index: int
    condition: Condition | None  # None for the default rule
    service: Service
    overrides: tuple[int, ...] = ()  # indices of the rules it applies "par exception à"
    text: str | None = None
    reference: str | None = None
    motif: str | None = None  # the published reason of the rule
    #: Services informed « en lien avec » the rule's service; the household still goes to `service`.
    partners: tuple[Service, ...] = ()
    span: Span | None = field(**_POS)

    @property
    def is_default(self) -> bool:
        return self.condition is None

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None


@frozen
class Article:
    """A heading of the charter over the rules that follow it, up to the next article."""

    number: str
    title: str
    motif: str | None
    rules: tuple[int, ...]  # indices of its rules, in file order
    span: Span | None = field(**_POS)


@frozen
class Indicator:
    name: str
    condition: Condition
    span: Span | None = field(**_POS)


@frozen
class Example:
    name: str
    household: Mapping[str, object] = field(eq=False)  # machine name → raw value (None: inconnu)
    service: str
    rule: str | None
    #: Codes of the partners expected « en lien avec » the service, None when the example does not say.
    partners: tuple[str, ...] | None = None
    #: A partial example gives only some data: its expectation holds for every value of the others.
    partial: bool = False
    span: Span | None = field(**_POS)


@frozen
class CharterModel:
    """Everything a charter file says, checked and resolved."""

    name: str
    title: str
    reference: str | None
    version: str | None
    valid_from: int | None
    valid_to: int | None
    services: tuple[Service, ...]
    fields: tuple[Field, ...]
    sets: tuple[NamedSet, ...]
    tables: tuple[Table, ...]
    definitions: tuple[Definition, ...]
    rules: tuple[Rule, ...]
    indicators: tuple[Indicator, ...]
    examples: tuple[Example, ...]
    sha256: str
    articles: tuple[Article, ...] = ()

    @property
    def default_rule(self) -> Rule | None:
        return next((r for r in self.rules if r.is_default), None)
