"""SQL export: one SELECT, built as a sqlglot syntax tree, that routes every row of a table as `Charter.route` does.

The statement reads the table (`menages` by default), whose columns include the charter's machine
names (`sql_reading.column_type`), and returns every input column plus `service`, `regle`,
`unite`, `partenaires` and `non_oriente`. It is made of lateral subqueries, each a step of the
routing: `texte` trims and folds the texts, `valeur` applies defaults and reads values, `ligne`
picks the one row of the charter's decision tables (`rows.decision_rows`) the household meets (0
when a value is refused), and `issue` turns that row into service, rule, unit and reason.
Sets and table files become `VALUES` in the `WITH` clause: the output is one statement.

The rows are disjoint and cover every household, unknown values included, so their conditions
are plain two-valued tests on possibly `NULL` values: the charter's three-valued logic was
resolved by the proof when the rows were made. Amounts are `numeric` compared with exact
`numeric` literals; a sum or multiple adds whole numbers as `DECIMAL(38, 0)`, which holds what
Python's exact integers reach from `bigint` values (no overflow error where Python routes);
stages compare by their machine names, which the rows list in order.
"""

from __future__ import annotations

from sqlglot import exp

from .. import model as m
from ..errors import RepartitionError
from .rows import (Codes, DatesApart, DecisionRows, InIntervals, Interval, InValues, IsKnown, IsUnknown,
                   Linear, Membership, Ref, Row)
from .sql_reading import CHARACTERS, Reading, characters, column_type, typed_literal

__all__ = ["to_sql", "build_select", "create_table", "DIALECTS", "OUTPUT_COLUMNS", "Conditions"]

#: Dialects by their CLI names, with sqlglot's name for each.
DIALECTS = {"duckdb": "duckdb", "postgresql": "postgres", "spark": "spark"}
#: The columns the statement adds to the input's.
OUTPUT_COLUMNS = ("service", "regle", "unite", "partenaires", "non_oriente")
#: `non_oriente` for a value the Python reading refuses.
INVALID = "invalide"

_INPUT, _TEXT, _VALUE, _MEMBER, _ROW, _ISSUE = "menage", "texte", "valeur", "appartenance", "ligne", "issue"


def _id(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _col(table: str, name: str) -> exp.Column:
    return exp.Column(this=_id(name), table=_id(table))


def _table_name(name: str) -> exp.Table:
    """A table or view name, possibly qualified (`schema.table`, `catalog.schema.table`), every part
    quoted; a fourth part would have no place: the name is refused, never cut."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 3 or not all(part.strip() for part in parts):
        raise RepartitionError(f"« {name} » : nom de table ou de vue attendu, en une à trois parties séparées "
                               f"par des points (par exemple menages, schema.menages ou base.schema.menages)")
    return exp.Table(this=_id(parts[-1]), db=_id(parts[-2]) if len(parts) > 1 else None,
                     catalog=_id(parts[-3]) if len(parts) > 2 else None)


def to_sql(rows: DecisionRows, *, dialect: str = "duckdb", table: str = "menages", view: str | None = None,
           pretty: bool = True) -> str:
    """The statement's text in a dialect (`DIALECTS`): the SELECT, or with `view` a CREATE VIEW of it."""
    statement = build_select(rows, table, fenced=dialect == "postgresql")
    if view is not None:
        statement = exp.Create(this=_table_name(view), kind="VIEW", expression=statement)
    return statement.sql(dialect=DIALECTS[dialect], pretty=pretty) + ";\n"


def create_table(model: m.CharterModel, *, dialect: str = "duckdb", table: str = "menages") -> str:
    """A CREATE TABLE with the charter's columns and their plain SQL types (for tests and documentation)."""
    columns = [exp.ColumnDef(this=_id(f.machine), kind=exp.DataType.build(column_type(f), dialect="postgres"))
               for f in model.fields]
    schema = exp.Schema(this=_table_name(table), expressions=columns)
    return exp.Create(this=schema, kind="TABLE").sql(dialect=DIALECTS[dialect]) + ";\n"


def build_select(rows: DecisionRows, table: str = "menages", *, fenced: bool = False) -> exp.Select:
    """The SELECT as a sqlglot syntax tree.

    `fenced` ends each step with `OFFSET 0`, which keeps PostgreSQL from pulling the steps up into
    one expression: it would copy each step's expression into every place that uses it (the row
    met is used in each output), and its size, time and memory would grow with every copy.
    """
    return _Query(rows, fenced).select(table)


class _Query:
    def __init__(self, rows: DecisionRows, fenced: bool = False):
        self.rows = rows
        self.fenced = fenced
        self.model = rows.model
        self.fields = {f.machine: f for f in self.model.fields}
        # Each named set or table key list becomes a CTE `liste_N` with one column `code`; whether a
        # field's code is in it is read once, in `appartenance` (a subquery per row would cost the
        # planner more than the routing itself).
        self.lists = {ref: f"liste_{i}" for i, ref in enumerate(rows.code_lists, 1)}
        pairs = dict.fromkeys((c.field, ref) for row in rows.rows for c in row.conditions
                              if isinstance(c, Membership) for ref in (*c.inside, *c.outside))
        self.members = {pair: f"{pair[0]}_dans_{self.lists[pair[1]]}" for pair in pairs}
        self.units = {s.code: s.unit for s in self.model.services if s.unit is not None}
        self.unit_tables = {t.name: f"table_{i}" for i, t in enumerate(
            dict.fromkeys(u.table for u in self.units.values()), 1)}

    def select(self, table: str) -> exp.Select:
        readings = {f.machine: Reading(f, _col(_INPUT, f.machine)) for f in self.model.fields}
        texts = {name: r.text() for name, r in readings.items()}
        text_columns = [exp.alias_(e, _id(name)) for name, e in texts.items() if e is not None]
        value_columns = [exp.alias_(readings[name].value(_col(_TEXT, name) if texts[name] is not None else None),
                                    _id(name)) for name in readings]
        refused = exp.or_(*(readings[n].refused(_col(_TEXT, n) if texts[n] is not None else None, _col(_VALUE, n))
                            for n in readings)) if readings else exp.false()
        conditions = Conditions(self)
        choice = exp.Case(ifs=[exp.If(this=exp.Paren(this=refused), true=exp.Literal.number(0))]
                          + [exp.If(this=conditions.row(row), true=exp.Literal.number(i))
                             for i, row in enumerate(self.rows.rows, 1)])
        query = exp.select(exp.Column(this=exp.Star(), table=_id(_INPUT)), *self.outputs()).from_(
            exp.alias_(_table_name(table), _id(_INPUT), table=True))
        if text_columns:
            query = query.join(exp.Table(this=_id(CHARACTERS)), join_type="CROSS", copy=False)
            query = query.join(self.lateral(text_columns, _TEXT), join_type="CROSS", copy=False)
        query = query.join(self.lateral(value_columns, _VALUE), join_type="CROSS", copy=False)
        if self.members:
            memberships = [exp.alias_(exp.In(this=_col(_VALUE, f), query=exp.Subquery(this=exp.select(
                _col(self.lists[ref], "code")).from_(exp.Table(this=_id(self.lists[ref]))))), _id(name))
                for (f, ref), name in self.members.items()]
            query = query.join(self.lateral(memberships, _MEMBER), join_type="CROSS", copy=False)
        query = query.join(self.lateral([exp.alias_(choice, _id("numero"))], _ROW), join_type="CROSS", copy=False)
        query = query.join(self.lateral(self.issue(), _ISSUE), join_type="CROSS", copy=False)
        if text_columns:
            query = query.with_(*characters(), copy=False)
        for ref, name in self.lists.items():
            codes = sorted(self.rows.code_lists[ref])
            query = query.with_(_cte_name(name, "code"), as_=_values([(c,) for c in codes], ["code"]), copy=False)
        for source, name in self.unit_tables.items():
            found = next(t for t in self.model.tables if t.name == source)
            pairs = sorted(found.mapping.items())
            query = query.with_(_cte_name(name, "cle", "valeur"), as_=_values(pairs, ["cle", "valeur"]), copy=False)
        return query

    def lateral(self, columns: list, alias: str) -> exp.Lateral:
        step = exp.select(*columns)
        if self.fenced:
            step = step.offset(0, copy=False)
        return exp.Lateral(this=exp.Subquery(this=step), alias=exp.TableAlias(this=_id(alias)))

    # ---- from the row met to the outputs ----
    def issue(self) -> list[exp.Expression]:
        """`service`, `regle`, `cas` (the kind of an open case, or `invalide`) and `unite` of the row met."""
        number = _col(_ROW, "numero")
        numbered = list(enumerate(self.rows.rows, 1))

        def among(numbers: list[int]) -> exp.Expression:
            return exp.In(this=number, expressions=[exp.Literal.number(i) for i in numbers])

        def by_row(value_of) -> list[exp.If]:
            """One WHEN per distinct value, listing the rows that give it."""
            groups: dict = {}
            for i, row in numbered:
                if value_of(row) is not None:
                    groups.setdefault(value_of(row), []).append(i)
            return [exp.If(this=among(found), true=exp.Literal.string(value)) for value, found in groups.items()]

        invalid = exp.If(this=exp.EQ(this=number, expression=exp.Literal.number(0)), true=exp.Literal.string(INVALID))
        units = [exp.If(this=among([i for i, row in numbered if row.kind == "decision" and row.service == code]),
                        true=self.lookup(unit))
                 for code, unit in self.units.items()
                 if any(row.kind == "decision" and row.service == code for _, row in numbered)]
        return [exp.alias_(_case(by_row(lambda row: row.service)), _id("service")),
                exp.alias_(_case(by_row(lambda row: row.rule)), _id("regle")),
                exp.alias_(_case(by_row(lambda row: "|".join(row.partners) if row.kind == "decision" else None)),
                           _id("partenaires")),
                exp.alias_(_case([invalid, *by_row(lambda row: None if row.kind == "decision" else row.kind)]),
                           _id("cas")),
                exp.alias_(_case(units), _id("unite"))]

    def lookup(self, unit: m.Unit) -> exp.Expression:
        """The unit of the household's code in the table, or the table's value for a code it lacks."""
        name = self.unit_tables[unit.table.name]
        found = exp.Subquery(this=exp.select(_col(name, "valeur")).from_(exp.Table(this=_id(name))).where(
            exp.EQ(this=_col(name, "cle"), expression=_col(_VALUE, unit.field.machine))))
        if unit.table.missing is None:
            return found
        return exp.Coalesce(this=found, expressions=[exp.Literal.string(unit.table.missing)])

    def outputs(self) -> list[exp.Expression]:
        """The added columns; a unit the table lacks (and cannot default) refuses the household, as route does."""
        lacking = [exp.and_(exp.EQ(this=_col(_ISSUE, "service"), expression=exp.Literal.string(code)),
                            exp.Is(this=_col(_ISSUE, "unite"), expression=exp.Null()))
                   for code, unit in self.units.items() if unit.table.missing is None]
        routed = exp.Is(this=_col(_ISSUE, "cas"), expression=exp.Null())
        reason: exp.Expression = _col(_ISSUE, "cas")
        if lacking:
            refused = exp.Paren(this=exp.or_(*lacking))
            routed = exp.and_(routed, exp.Not(this=refused))
            reason = exp.Case(ifs=[exp.If(this=refused, true=exp.Literal.string(INVALID))], default=reason)

        def when_routed(value: exp.Expression) -> exp.Expression:
            return exp.Case(ifs=[exp.If(this=routed, true=value)])

        return [exp.alias_(when_routed(_col(_ISSUE, "service")), _id("service")),
                exp.alias_(when_routed(_col(_ISSUE, "regle")), _id("regle")),
                exp.alias_(when_routed(_col(_ISSUE, "unite")), _id("unite")),
                exp.alias_(when_routed(_col(_ISSUE, "partenaires")), _id("partenaires")),
                exp.alias_(reason, _id("non_oriente"))]


class Conditions:
    """One method per kind of row condition (`rows.CONDITIONS`): its SQL test on the read values."""

    def __init__(self, query: _Query):
        self.query = query

    def row(self, row: Row) -> exp.Expression:
        tests = [self.visit(c) for c in row.conditions]
        return exp.and_(*tests) if tests else exp.true()

    def visit(self, condition) -> exp.Expression:
        return getattr(self, "visit_" + type(condition).__name__)(condition)

    def _value(self, name: str) -> exp.Column:
        return _col(_VALUE, name)

    def _or_unknown(self, name: str, test: exp.Expression, or_unknown: bool) -> exp.Expression:
        if not or_unknown:
            return exp.Paren(this=test)
        return exp.Paren(this=exp.or_(exp.Is(this=self._value(name), expression=exp.Null()), test))

    def visit_IsUnknown(self, c: IsUnknown) -> exp.Expression:
        return exp.Is(this=self._value(c.field), expression=exp.Null())

    def visit_IsKnown(self, c: IsKnown) -> exp.Expression:
        return exp.Not(this=exp.Is(this=self._value(c.field), expression=exp.Null()))

    def visit_InValues(self, c: InValues) -> exp.Expression:
        f = self.query.fields[c.field]
        value = self._value(c.field)
        if isinstance(f.type, m.BoolType):
            test = exp.or_(*(exp.EQ(this=value, expression=exp.Boolean(this=v)) for v in c.values))
        else:
            test = exp.In(this=value, expressions=[exp.Literal.string(v) for v in c.values])
        return self._or_unknown(c.field, test, c.or_unknown)

    def visit_InIntervals(self, c: InIntervals) -> exp.Expression:
        f = self.query.fields[c.field]
        test = exp.or_(*(exp.Paren(this=self._interval(f, i)) for i in c.intervals))
        return self._or_unknown(c.field, test, c.or_unknown)

    def _interval(self, f: m.Field, interval: Interval) -> exp.Expression:
        value = self._value(f.machine)
        low, high = interval.low, interval.high
        if low is not None and high is not None and low == high:
            return exp.EQ(this=value, expression=typed_literal(f, low.value))
        parts = []
        if low is not None:
            parts.append((exp.GTE if low.inclusive else exp.GT)(this=value, expression=typed_literal(f, low.value)))
        if high is not None:
            parts.append((exp.LTE if high.inclusive else exp.LT)(this=value, expression=typed_literal(f, high.value)))
        return exp.and_(*parts)

    def visit_Membership(self, c: Membership) -> exp.Expression:
        tests = [self._member(c.field, r) for r in c.inside]
        tests += [exp.Not(this=self._member(c.field, r)) for r in c.outside]
        return self._or_unknown(c.field, exp.and_(*tests), c.or_unknown)

    def _member(self, field: str, ref: Ref) -> exp.Expression:
        return _col(_MEMBER, self.query.members[field, ref])

    def visit_Codes(self, c: Codes) -> exp.Expression:
        value = self._value(c.field)
        if not c.codes:  # every code, or none
            test = exp.Not(this=exp.Is(this=value, expression=exp.Null())) if c.excluded else exp.false()
        else:
            test = exp.In(this=value, expressions=[exp.Literal.string(code) for code in c.codes])
            if c.excluded:
                test = exp.Not(this=test)
        return self._or_unknown(c.field, test, c.or_unknown)

    def visit_Linear(self, c: Linear) -> exp.Expression:
        fields = self.query.fields
        total: exp.Expression | None = None
        for term in c.terms:
            value = self._value(term.field)
            if isinstance(fields[term.field].type, m.IntType):  # a sum of bigints may pass 2**63: Python's may
                value = exp.cast(value, exp.DataType.build("DECIMAL(38, 0)"))
            part = exp.Mul(this=exp.Literal.number(abs(term.coefficient)), expression=value)
            if total is None:
                total = part if term.coefficient > 0 else exp.Neg(this=part)
            else:
                total = (exp.Add if term.coefficient > 0 else exp.Sub)(this=total, expression=part)
        first = fields[c.terms[0].field] if c.terms else None
        bound = typed_literal(first, c.bound) if first is not None else exp.Literal.number(c.bound)
        return exp.Paren(this=_OPS[c.op](this=total if total is not None else exp.Literal.number(0), expression=bound))

    def visit_DatesApart(self, c: DatesApart) -> exp.Expression:
        """`later op earlier + n months (or days)`: each dialect adds calendar months as runtime.add_months
        does (the day kept, or the month's last day), and the sum is cast back to a date."""
        unit, amount = ("MONTH", c.months) if c.months else ("DAY", c.days)
        shifted = exp.cast(exp.DateAdd(this=self._value(c.earlier), expression=exp.Literal.number(amount),
                                       unit=exp.Var(this=unit)), "DATE")
        return exp.Paren(this=_OPS[c.op](this=self._value(c.later), expression=shifted))


_OPS = {">=": exp.GTE, ">": exp.GT, "<=": exp.LTE, "<": exp.LT}


def _case(ifs: list[exp.If]) -> exp.Expression:
    """CASE WHEN … END, or NULL when there is no case at all."""
    return exp.Case(ifs=ifs) if ifs else exp.Null()


def _cte_name(name: str, *columns: str) -> exp.TableAlias:
    return exp.TableAlias(this=_id(name), columns=[_id(c) for c in columns])


def _values(rows: list[tuple], columns: list[str]) -> exp.Expression:
    """Literal rows as VALUES (a SELECT with no row when there are none, typed as text)."""
    if not rows:
        nothing = [exp.alias_(exp.cast(exp.Null(), "TEXT"), _id(c)) for c in columns]
        return exp.select(*nothing).where(exp.false())
    return exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.string(v) for v in row]) for row in rows])
