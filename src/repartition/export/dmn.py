"""DMN 1.3 export: one decision table (hit policy UNIQUE) whose rules are the charter's disjoint rows.

Encoding, for the engines that read it:
- one input per field (FEEL type `boolean`, `number`, `date` or `string`; stages and list values
  by machine name, with their allowed values), named by the field's machine name;
- unknown is FEEL `null`, tested by `null` and excluded by `not(null, …)`, as the rows say;
- `null` for a field with a default value means that value, as in the SQL export: its entries
  accept `null` where the default meets them;
- a `fois` comparison or a sum is a further input on its first field, whose entry compares it with
  the others (`> 6 * loyer_mensuel - 0.001` for « au moins 6 fois »). The margin, under a cent (or
  a unit for whole numbers) divided by the first coefficient, changes nothing in FEEL's exact
  decimal arithmetic, since amounts move by whole cents, and keeps the test right in an engine
  that computes in binary floating point;
- two dates some calendar months or days apart are a further input on the later date, compared
  with the earlier plus the months, built as `runtime.add_months` counts them: the first of the
  earlier date's month, plus the months (from a first of month, no day to clamp), plus the earlier
  date's day, or the target month's last day if that is smaller. FEEL's own `date +
  duration("P1M")` means the same, but engines differ at month ends (pySFeel gives 28 February
  2024 for 31 January + 1 month); the entry keeps to plain arithmetic, without commas or `if`,
  which simple engines read. Days are added as `+ duration("P29D")`;
- a code against a set or a table lists its codes;
- outputs `service`, `regle` and `cas` (`lacune`, `conflit`, `indetermination` for the households
  a charter leaves open, `invalide` for a value the Python reading refuses); each rule is
  annotated with the charter's text and reference of its deciding rule.

The table reads as `Charter.validate` reads a household given in canonical form (FEEL values:
codes trimmed, stages and list values by machine name, unknown as null): one further input per
field, its « lecture », holds what the reading accepts, and a value it refuses goes to a row of
its own (`cas` = `invalide`, no service), never to a service:
- a code of its declared shape (`matches(?, "^…$")`: the same ASCII pattern as Python, JSON
  Schema and SQL), or for a code of no shape a text with no space at either end;
- a whole number or an amount within its declared bounds, else within the limits every backend
  holds (`repartition.values`: 64-bit whole numbers, amounts up to 999 999 999 999,99 €);
- a stage or list value among the machine names;
- null only where the field may be unknown or has a default.
Field k's refusal row requires the fields before it read: the refusal rows stay disjoint, as
hit policy UNIQUE requires. A type the input does not declare (a number for a code) meets no row:
FEEL's type error. Whole numbers with decimals and amounts beyond the cent are not checked
(FEEL ranges do not see them).
"""

from __future__ import annotations

import datetime as _dt
import xml.etree.ElementTree as ET
from decimal import Decimal

from .. import model as m
from ..errors import RepartitionError
from ..values import INT_MAX, INT_MIN, MONEY_LIMIT
from .rows import (Codes, DatesApart, DecisionRows, InIntervals, Interval, InValues, IsKnown, IsUnknown, Linear,
                   Membership, Row, Term, unit_value)

__all__ = ["to_dmn", "DmnError", "Entries", "NAMESPACE"]

#: The DMN 1.3 model namespace.
NAMESPACE = "https://www.omg.org/spec/DMN/20191111/MODEL/"
#: A code of no declared shape, as read: not blank, no space at either end (those `str.strip`
#: removes that XML text may hold: tab, newline, carriage return as regex escapes, the others as
#: themselves, since XPath regular expressions have no `\u` escape).
_SPACE = "\\t\\n\\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TRIMMED = rf"[^{_SPACE}]([\s\S]*[^{_SPACE}])?"
_TYPES = {m.BoolType: "boolean", m.IntType: "number", m.MoneyType: "number", m.DateType: "date"}


class DmnError(RepartitionError):
    """A charter the DMN table cannot express exactly."""


def to_dmn(rows: DecisionRows) -> str:
    """The DMN 1.3 XML text of the charter's decision table."""
    return _Writer(rows).document()


def _q(tag: str) -> str:
    """A tag name qualified by the DMN namespace."""
    return f"{{{NAMESPACE}}}{tag}"


def _feel_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _feel_value(value) -> str:
    """A constant as a FEEL literal: true/false, exact decimals, date("…"), "text"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, _dt.date):
        return f'date("{value.isoformat()}")'
    return _feel_string(str(value))


def _feel_type(f: m.Field) -> str:
    return _TYPES.get(type(f.type), "string")


class _Writer:
    def __init__(self, rows: DecisionRows):
        self.rows = rows
        self.model = rows.model
        self.fields = {f.machine: f for f in self.model.fields}
        self.entries = Entries(self)
        # One further input per `fois` comparison, on its first field (see the module's docstring).
        self.linear = list(dict.fromkeys(c.terms for row in rows.rows for c in row.conditions
                                         if isinstance(c, Linear)))
        # One further input per pair of dates and offset, on the later date.
        self.apart = list(dict.fromkeys(_apart(c) for row in rows.rows for c in row.conditions
                                        if isinstance(c, DatesApart)))
        read = [t.field for terms in self.linear for t in terms] + [n for key in self.apart for n in key[:2]]
        for name in read:
            if self.fields[name].has_default:
                raise DmnError(f"export DMN impossible : une comparaison entre données lit « {name} », qui a "
                               "une valeur par défaut (une table DMN ne calcule pas ses entrées)")
        self.readings = [(f, *tests) for f in self.model.fields if (tests := self.reading(f)) is not None]

    def document(self) -> str:
        model = self.model
        ET.register_namespace("", NAMESPACE)
        q = _q
        root = ET.Element(q("definitions"), {"id": "charte", "name": model.title,
                                              "namespace": f"urn:repartition:charte:{model.sha256}"})
        about = [model.reference, f"version {model.version}" if model.version else None, f"sha256 {model.sha256}"]
        ET.SubElement(root, q("description")).text = " — ".join(t for t in about if t)
        for f in model.fields:
            data = ET.SubElement(root, q("inputData"), {"id": f"donnee_{f.machine}", "name": f.machine})
            ET.SubElement(data, q("description")).text = self.field_note(f)
            ET.SubElement(data, q("variable"), {"name": f.machine, "typeRef": _feel_type(f)})
        decision = ET.SubElement(root, q("decision"), {"id": "orientation", "name": "orientation"})
        ET.SubElement(decision, q("description")).text = (
            "Service de chaque ménage selon la charte ; les règles sont les lignes disjointes calculées par la "
            "preuve. Une donnée inconnue vaut null ; null vaut la valeur par défaut d'une donnée qui en a une.")
        for f in model.fields:
            need = ET.SubElement(decision, q("informationRequirement"), {"id": f"besoin_{f.machine}"})
            ET.SubElement(need, q("requiredInput"), {"href": f"#donnee_{f.machine}"})
        table = ET.SubElement(decision, q("decisionTable"), {"id": "table", "hitPolicy": "UNIQUE",
                                                               "outputLabel": "orientation"})
        columns = ([(f.machine, f) for f in model.fields] + [(None, terms) for terms in self.linear]
                   + [(None, key) for key in self.apart])
        # Labels are the field's name (some engines take an input's value by its label); readings come last.
        inputs = [(self.column_field(name, source), None if name is None else self.allowed(source))
                  for name, source in columns]
        inputs += [(f, None) for f, *_ in self.readings]
        for number, (f, allowed) in enumerate(inputs, 1):
            clause = ET.SubElement(table, q("input"), {"id": f"entree_{number}", "label": f.machine})
            expression = ET.SubElement(clause, q("inputExpression"), {"id": f"expression_{number}",
                                                                      "typeRef": _feel_type(f)})
            ET.SubElement(expression, q("text")).text = f.machine
            if allowed:
                ET.SubElement(ET.SubElement(clause, q("inputValues")), q("text")).text = allowed
        codes = [s.code for s in model.services]
        outputs = [("service", ", ".join([_feel_string(c) for c in codes] + ["null"])), ("regle", None),
                   ("cas", '"lacune", "conflit", "indetermination", "invalide", null')]
        for name, allowed in outputs:
            clause = ET.SubElement(table, q("output"), {"id": f"sortie_{name}", "name": name, "typeRef": "string"})
            if allowed:
                ET.SubElement(ET.SubElement(clause, q("outputValues")), q("text")).text = allowed
        for name in ("texte", "reference"):
            ET.SubElement(table, q("annotation"), {"name": name})
        rules = {r.name: r for r in model.rules}
        valid = [tests[0] for _, *tests in self.readings]
        for number, row in enumerate(self.rows.rows, 1):
            entries = [self.entry(row, name, source) for name, source in columns] + valid
            values = [row.service, row.rule, None if row.kind == "decision" else row.kind]
            deciding = rules.get(row.rule)
            self.rule(table, f"ligne_{number}", ", ".join(f"« {n} »" for n in row.rules) or row.kind,
                      entries, values, [deciding.text if deciding else None, row.reference])
        # One row per refused reading, the fields before it read: disjoint from each other and the rows above.
        for number, (f, _, refused) in enumerate(self.readings):
            entries = ["-"] * len(columns) + valid[:number] + [refused] + ["-"] * (len(valid) - number - 1)
            self.rule(table, f"refus_{f.machine}", f"lecture refusée : « {f.label} »", entries,
                      [None, None, "invalide"], [f"{f.label} : attendu {f.type.expected}", None])
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    def column_field(self, name: str | None, source) -> m.Field:
        """The field a column reads: its own, or the first of a comparison, or the later date."""
        if name is not None:
            return source
        first = source[0]
        return self.fields[first if isinstance(first, str) else first.field]

    def entry(self, row: Row, name: str | None, source) -> str:
        """A row's entry in a column: a field's, a comparison's or two dates apart."""
        if name is not None:
            return self.entries.column(row, name)
        if isinstance(source[0], str):
            return self.entries.apart(row, source)
        return self.entries.linear(row, source)

    def rule(self, table: ET.Element, ident: str, description: str, entries: list[str], outputs: list,
             notes: list) -> None:
        """One rule of the table: its input entries, outputs (None is null) and annotations."""
        q = _q
        rule = ET.SubElement(table, q("rule"), {"id": ident})
        ET.SubElement(rule, q("description")).text = description
        for entry in entries:
            ET.SubElement(ET.SubElement(rule, q("inputEntry")), q("text")).text = entry
        for value in outputs:
            ET.SubElement(ET.SubElement(rule, q("outputEntry")), q("text")).text = \
                "null" if value is None else _feel_string(value)
        for note in notes:
            ET.SubElement(ET.SubElement(rule, q("annotationEntry")), q("text")).text = note or ""

    def reading(self, f: m.Field) -> tuple[str, str] | None:
        """(the values the Python reading accepts in the field's input, those it refuses) as unary
        tests; None where it accepts every value of the input's type."""
        kind, nullable = f.type, f.may_be_unknown or f.has_default
        if isinstance(kind, m.CodeType):
            shaped = f"matches(?, {_feel_string('^' + (kind.pattern or _TRIMMED) + '$')})"
            accepted = f"(? = null) or ({shaped})" if nullable else f"(? != null) and ({shaped})"
            return accepted, f"not({accepted})"
        if isinstance(kind, (m.IntType, m.MoneyType)):
            low, high = (_feel_value(v) for v in _limits(f))
            return self.allowed(f), ", ".join([f"< {low}", f"> {high}"] + ([] if nullable else ["null"]))
        if isinstance(kind, m.EnumType):
            accepted = self.allowed(f)
            return accepted, f"not({accepted})"
        return None if nullable else ("not(null)", "null")

    def field_note(self, f: m.Field) -> str:
        parts = [f.label, f"attendu : {f.type.expected}"]
        if f.may_be_unknown:
            parts.append("peut être inconnue (null)")
        if f.has_default:
            parts.append(f"null vaut la valeur par défaut : {f.text(f.default)}")
        return " ; ".join(parts)

    def allowed(self, f: m.Field) -> str | None:
        """The allowed values of a field's input (stages and list values, or the bounds: declared,
        else the limits every backend holds), null included where the field may be unknown or has a
        default."""
        kind = f.type
        if isinstance(kind, m.EnumType):
            tests = [_feel_string(v.machine) for v in kind.values]
        elif isinstance(kind, (m.IntType, m.MoneyType)):
            low, high = _limits(f)
            tests = [f"[{_feel_value(low)}..{_feel_value(high)}]"]
        else:
            return None
        return ", ".join(tests + (["null"] if f.may_be_unknown or f.has_default else []))


class Entries:
    """One method per kind of row condition (`rows.CONDITIONS`): its FEEL unary tests."""

    def __init__(self, writer: _Writer):
        self.writer = writer

    def column(self, row: Row, name: str) -> str:
        """The entry of a row in a field's column: its condition on the field, or `-`."""
        found = [c for c in row.conditions if not isinstance(c, (Linear, DatesApart)) and c.field == name]
        if not found:
            return "-"
        return self.visit(found[0])

    def visit(self, condition) -> str:
        return getattr(self, "visit_" + type(condition).__name__)(condition)

    def _tests(self, name: str, tests: list[str], or_unknown: bool, known_values) -> str:
        """Positive tests, with `null` where unknown (or, for a field with a default, the default) is in."""
        f = self.writer.fields[name]
        if f.has_default:
            or_unknown = unit_value(f, f.default) in known_values
        return ", ".join(tests + (["null"] if or_unknown else []))

    def _not(self, name: str, excluded: list[str], or_unknown: bool, excluded_values) -> str:
        """`not(…)`: FEEL's null meets `not("a")`, so null is excluded too unless unknown is in."""
        f = self.writer.fields[name]
        if f.has_default:
            or_unknown = unit_value(f, f.default) not in excluded_values
        listed = excluded if or_unknown else ["null", *excluded]
        return f"not({', '.join(listed)})" if listed else "-"

    def visit_IsUnknown(self, c: IsUnknown) -> str:
        f = self.writer.fields[c.field]
        if f.has_default:  # null is the default, a known value: nothing is unknown
            raise DmnError(f"export DMN impossible : « {c.field} » a une valeur par défaut et peut être inconnue ; "
                           "null ne peut désigner les deux")
        return "null"

    def visit_IsKnown(self, c: IsKnown) -> str:
        return "-" if self.writer.fields[c.field].has_default else "not(null)"

    def visit_InValues(self, c: InValues) -> str:
        return self._tests(c.field, [_feel_value(v) for v in c.values], c.or_unknown, c.values)

    def visit_InIntervals(self, c: InIntervals) -> str:
        f = self.writer.fields[c.field]
        tests = [_interval(i) for i in c.intervals]
        if f.has_default:
            default = unit_value(f, f.default)
            inside = any(_in_interval(default, i) for i in c.intervals)
            return ", ".join(tests + (["null"] if inside else []))
        return ", ".join(tests + (["null"] if c.or_unknown else []))

    def visit_Membership(self, c: Membership) -> str:
        lists = self.writer.rows.code_lists
        outside = set().union(*(lists[r] for r in c.outside))
        if c.inside:
            codes = set.intersection(*(set(lists[r]) for r in c.inside)) - outside
            return self._tests(c.field, [_feel_string(x) for x in sorted(codes)], c.or_unknown, codes)
        return self._not(c.field, [_feel_string(x) for x in sorted(outside)], c.or_unknown, outside)

    def visit_Codes(self, c: Codes) -> str:
        listed = [_feel_string(x) for x in c.codes]
        if c.excluded:
            return self._not(c.field, listed, c.or_unknown, set(c.codes))
        return self._tests(c.field, listed, c.or_unknown, set(c.codes))

    def visit_Linear(self, c: Linear) -> str:  # pragma: no cover - linear entries have their own columns
        raise AssertionError("a linear comparison is entered in its own column")

    def visit_DatesApart(self, c: DatesApart) -> str:  # pragma: no cover - entered in their own columns
        raise AssertionError("two dates apart are entered in their own column")

    def apart(self, row: Row, key: tuple) -> str:
        """A row's entry in the column of two dates apart: `>= earlier + duration("P3M")`."""
        found = [c for c in row.conditions if isinstance(c, DatesApart) and _apart(c) == key]
        if not found:
            return "-"
        c = found[0]
        if c.months:
            shifted = _add_months(c.earlier, c.months)
        elif c.days:
            shifted = f'{c.earlier} {"+" if c.days > 0 else "-"} duration("P{abs(c.days)}D")'
        else:
            shifted = c.earlier
        return f"{c.op} {shifted}"

    def linear(self, row: Row, terms: tuple[Term, ...]) -> str:
        """A row's entry in the column of a `fois` comparison: the first field against the others."""
        found = [c for c in row.conditions if isinstance(c, Linear) and c.terms == terms]
        if not found:
            return "-"
        (first, *others), condition = terms, found[0]
        f = self.writer.fields[first.field]
        # c × first + Σ others op bound  ⇔  first op' (bound − Σ others) / c, op' flipped when c < 0.
        sign = 1 if first.coefficient > 0 else -1
        op = condition.op if sign > 0 else {">=": "<=", ">": "<", "<=": ">=", "<": ">"}[condition.op]
        coefficient = abs(first.coefficient)
        parts = [(condition.bound * sign > 0, _feel_value(abs(condition.bound)))] if condition.bound else []
        parts += [(t.coefficient * sign < 0, f"{abs(t.coefficient)} * {t.field}") for t in others]
        text = " ".join(("+ " if positive else "- ") + term for positive, term in parts).removeprefix("+ ")
        threshold = text.replace("- ", "-", 1) if text.startswith("- ") else (text or "0")
        if coefficient != 1:
            threshold = f"({threshold}) / {coefficient}"
        # Amounts move by whole cents, numbers by units: a margin under a step divided by the
        # coefficient changes no answer, and covers the rounding of binary floating point.
        step = Decimal("0.01") if isinstance(f.type, m.MoneyType) else Decimal(1)
        margin = step / 10 ** len(str(coefficient))
        strict = {">=": (">", "-"), ">": (">", "+"), "<=": ("<", "+"), "<": ("<", "-")}[op]
        return f"{strict[0]} {threshold} {strict[1]} {_feel_value(margin)}"


def _limits(f: m.Field) -> tuple:
    """A number's lowest and highest values in its unit: its declared bounds, else the limits every
    backend holds."""
    kind = f.type
    limits = (INT_MIN, INT_MAX) if isinstance(kind, m.IntType) else (-MONEY_LIMIT, MONEY_LIMIT)
    return tuple(unit_value(f, limit if bound is None else bound)
                 for bound, limit in zip((kind.minimum, kind.maximum), limits))


def _add_months(date: str, months: int) -> str:
    """FEEL for `runtime.add_months(date, months)`: the target month's day, or its last day if smaller
    (the smaller of a and b written (a + b − abs(a − b)) / 2)."""
    first = f'({date} - duration("P1D") * ({date}.day - 1) + duration("P{months}M"))'
    last = f'(({first} + duration("P1M")) - duration("P1D")).day'
    day = f"(({date}.day + {last} - abs({date}.day - {last})) / 2)"
    return f'{first} + duration("P1D") * ({day} - 1)'


def _apart(c: DatesApart) -> tuple:
    """The column of two dates apart: the dates and the offset (the comparison is the row's entry)."""
    return (c.later, c.earlier, c.months, c.days)


def _interval(interval: Interval) -> str:
    low, high = interval.low, interval.high
    if low is not None and high is not None:
        if low == high:
            return _feel_value(low.value)
        return (f"{'[' if low.inclusive else '('}{_feel_value(low.value)}.."
                f"{_feel_value(high.value)}{']' if high.inclusive else ')'}")
    if low is not None:
        return f"{'>=' if low.inclusive else '>'} {_feel_value(low.value)}"
    return f"{'<=' if high.inclusive else '<'} {_feel_value(high.value)}"


def _in_interval(value, interval: Interval) -> bool:
    low, high = interval.low, interval.high
    above = low is None or value > low.value or (low.inclusive and value == low.value)
    below = high is None or value < high.value or (high.inclusive and value == high.value)
    return above and below
