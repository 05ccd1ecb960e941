"""Hypothesis strategies for property-testing a charter: valid households near its thresholds, and invalid rows.

A département tests its own charter in one line::

    from hypothesis import given
    from repartition.testing import households

    @given(households(charter))
    def test_every_household_gets_one_service(household):
        charter.route(household)  # raises NoDecision on a gap, a conflict or an undetermined case

Hypothesis is imported when a strategy is built, so `import repartition` never needs it.
"""

from __future__ import annotations

import datetime as _dt

from . import model as m
from .dsl.lowering import Ge, In, LinearGe, ShiftGe, atoms_of, lower, runs
from .runtime import add_months
from .proof.examples import json_value

__all__ = ["households", "invalid_rows", "thresholds"]

_DATE_LOW = _dt.date(1990, 1, 1).toordinal()
_DATE_HIGH = _dt.date(2060, 12, 31).toordinal()
_SPAN = 10_000_000  # how far unbounded numbers range around their thresholds


def _model(charter) -> m.CharterModel:
    return charter if isinstance(charter, m.CharterModel) else charter.model


def _atoms(model: m.CharterModel) -> list:
    """The atoms of every rule's and indicator's condition, lowered as the compiler lowers them."""
    found: dict = {}
    for rule in model.rules:
        if rule.condition is not None:
            atoms_of(lower(rule.condition), found)
    for indicator in model.indicators:
        atoms_of(lower(indicator.condition), found)
    return list(found)


def thresholds(charter) -> dict[str, list]:
    """For each field (machine name), the internal values where some rule changes its mind, ±1."""
    model = _model(charter)
    return _thresholds(model, _atoms(model))


def _thresholds(model: m.CharterModel, atoms: list) -> dict[str, list]:
    points: dict[int, set] = {f.index: set() for f in model.fields}
    for atom in atoms:
        if isinstance(atom, Ge):
            points[atom.field].update({atom.bound - 1, atom.bound, atom.bound + 1})
        elif isinstance(atom, In) and isinstance(model.fields[atom.field].type, (m.IntType, m.MoneyType, m.DateType)):
            for low, high in runs(atom.values):
                points[atom.field].update({low - 1, low, high, high + 1})
    out = {}
    for f in model.fields:
        low, high = getattr(f.type, "minimum", None), getattr(f.type, "maximum", None)
        chosen = set(points[f.index]) | {v for v in (low, high) if v is not None}
        out[f.machine] = sorted(v for v in chosen if (low is None or v >= low) and (high is None or v <= high))
    return out


def households(charter, *, spellings: bool = False):
    """Valid households (JSON-style dicts in the CSV/JSON field names), biased to the thresholds.

    Values sit on the thresholds the rules use (and one unit either side) about half the time;
    comparisons between fields (`au moins 6 fois le loyer`, `la somme du loyer et des charges`, `3 mois
    avant la date du signalement`) are hit exactly and one unit either side; fields
    that may be unknown are sometimes null; fields with a default are sometimes left out.

    With `spellings`, each value comes in one of the raw forms an input gives it (text with spaces
    or capitals, decimal comma or point, thousands and euro sign, a JSON float, leading zeros, a
    French date…) and, one time in eight, in a hostile one (NaN, blank text, thousands of digits,
    an amount past the largest, Arabic-Indic digits…); a field left out may come back under a
    misspelt key. Such a household may be refused, and every way of routing must then refuse it
    with the same message.
    """
    from hypothesis import strategies as st

    model = _model(charter)
    atoms = _atoms(model)
    near = _thresholds(model, atoms)
    codes = _codes(model, atoms)
    # A sub-unit table that refuses absent codes makes those households unroutable: stay in it.
    refusing = {s.unit.field.index: sorted(s.unit.table.keys) for s in model.services
                if s.unit is not None and s.unit.table.missing is None and s.unit.table.keys}
    required, optional = {}, {}
    for f in model.fields:
        if f.index in refusing:
            strategy = st.sampled_from(refusing[f.index])
        else:
            strategy = _value(st, f, near[f.machine], codes.get(f.index, []))
        if f.may_be_unknown and f.index not in refusing:
            strategy = st.one_of(st.none(), strategy)
        (optional if f.has_default else required)[f.machine] = strategy
    base = st.fixed_dictionaries(required, optional=optional)
    relations = [a for a in atoms if isinstance(a, (LinearGe, ShiftGe))]
    if relations:
        base = st.builds(_on_relation, base, st.sampled_from([None] + relations), st.sampled_from((-1, 0, 1)),
                         st.just(model))
    return base.flatmap(lambda household: _spelt(st, model, household)) if spellings else base


def _spelt(st, model: m.CharterModel, household: dict):
    """The household with each value in a raw spelling, and maybe a misspelt key for a field left out."""
    fields = {f.machine: f for f in model.fields}
    spelt = st.fixed_dictionaries({k: _spellings(st, fields[k], v) for k, v in household.items()})
    left_out = [f.machine for f in model.fields if f.machine not in household]
    if not left_out:
        return spelt
    slips = st.tuples(st.sampled_from(left_out), st.sampled_from((_swap, str.upper, lambda name: name + "s")))
    return st.builds(_with_key, spelt, st.one_of(st.none(), slips))


def _swap(name: str) -> str:
    """Two adjacent letters swapped: the commonest typing slip."""
    return name[1] + name[0] + name[2:] if len(name) > 1 else name + name


def _with_key(household: dict, slip) -> dict:
    if slip is None:
        return household
    name, spell = slip
    return {**household, spell(name): "x"}


#: Raw values that no field reads, or that lie past every bound: for `households(spellings=True)`.
_HOSTILE = ["", " ", None, float("nan"), float("inf"), "1" * 5000, "0" * 30 + "1", "9" * 20, 10**20, -(10**19),
            1e13, 999999999999.99, 1000000000000, "1000000000000", "\u0661\u0662", "1e3", "12.", True, [1],
            "Strasbourg", "2A004", "2a004", "0", 0.001, 70000000000000.12]


def _spellings(st, f: m.Field, value):
    """Raw spellings that read as `value` (a JSON-style value of the field) and, one time in eight, a
    hostile one."""
    if value is None:
        same = [None, "", "  "]
    elif isinstance(f.type, m.BoolType):
        same = [value, "oui" if value else "non", "VRAI" if value else "Faux", " true " if value else "false",
                int(value), float(value)]
    elif isinstance(f.type, m.IntType):
        same = [value, str(value), f" {value} ", ("+" if value >= 0 else "-") + "000" + str(abs(value))]
    elif isinstance(f.type, m.MoneyType):
        cents = f.type.read(value)
        units, rest = divmod(abs(cents), 100)
        sign = "-" if cents < 0 else ""
        grouped = f"{units:,}".replace(",", "\u202f")
        same = [value, f"{sign}{units}.{rest:02d}", f"{sign}{grouped},{rest:02d} €",
                f" {sign}{units},{rest:02d} euros", cents / 100, f"{sign}00{units},{rest:02d}"]
        if not rest:
            same += [cents // 100, f"{sign}{units}"]
    elif isinstance(f.type, m.DateType):
        day = _dt.date.fromisoformat(value)
        same = [value, day.strftime("%d/%m/%Y"), f" {value} ", day]
    elif isinstance(f.type, m.EnumType):
        label = next(v.label for v in f.type.values if v.machine == value)
        same = [value, label, label.upper(), f" {value} "]
    else:
        same = [value, f" {value} "]
    return st.one_of(*[st.sampled_from(same)] * 7, st.sampled_from(_HOSTILE))


def _on_relation(household: dict, atom, nudge: int, model: m.CharterModel) -> dict:
    """Move one field of a relation between fields onto its threshold (± one unit) when possible."""
    if atom is None:
        return household
    if isinstance(atom, ShiftGe):
        moved, others = model.fields[atom.later], [model.fields[atom.earlier]]
    else:
        moved, others = model.fields[atom.terms[0][0]], [model.fields[f] for f, _ in atom.terms[1:]]
    raws = [household.get(f.machine) for f in others]
    if any(raw is None for raw in raws):
        return household
    values = {f.index: f.type.read(raw) for f, raw in zip(others, raws)}
    if isinstance(atom, ShiftGe):  # later >= add_months(earlier) + bound
        target = add_months(values[atom.earlier], atom.months) + atom.bound + nudge
    else:  # c·x >= bound − Σ others: the smallest x (c > 0) or the largest (c < 0)
        c = atom.terms[0][1]
        rest = atom.bound - sum(k * values[f] for f, k in atom.terms[1:])
        target = (-(-rest // c) if c > 0 else rest // c) + nudge
    kind = moved.type
    if (kind.minimum is not None and target < kind.minimum) or (kind.maximum is not None and target > kind.maximum):
        return household
    if isinstance(kind, m.DateType) and not _dt.date.min.toordinal() <= target <= _dt.date.max.toordinal():
        return household
    return {**household, moved.machine: json_value(moved, target)}


def _codes(model: m.CharterModel, atoms: list) -> dict[int, list[str]]:
    """For each code field, the codes that the rules' sets and the sub-unit tables name."""
    found: dict[int, set] = {}
    for atom in atoms:
        if isinstance(atom, In) and isinstance(model.fields[atom.field].type, m.CodeType):
            found.setdefault(atom.field, set()).update(atom.values)
    for service in model.services:
        if service.unit is not None:
            found.setdefault(service.unit.field.index, set()).update(service.unit.table.keys)
    return {k: sorted(v) for k, v in found.items()}


def _value(st, f: m.Field, near: list, codes: list):
    """Valid JSON-style values of one field: on its thresholds about half the time, else anywhere."""
    kind = f.type
    if isinstance(kind, m.BoolType):
        return st.booleans()
    if isinstance(kind, m.EnumType):
        return st.sampled_from([v.machine for v in kind.values])
    if isinstance(kind, m.CodeType):
        if kind.shape is None:
            other = st.text("0123456789ABZ", min_size=1, max_size=6)
        else:
            other = st.from_regex(kind._pattern, fullmatch=True)
        return st.one_of(st.sampled_from(codes), other) if codes else other
    if isinstance(kind, m.DateType):
        low, high = _DATE_LOW, _DATE_HIGH
    else:
        centre = near[len(near) // 2] if near else 0
        low = kind.minimum if kind.minimum is not None else min(near + [centre - _SPAN])
        high = kind.maximum if kind.maximum is not None else max(near + [centre + _SPAN])
    anywhere = st.integers(min_value=low, max_value=high)
    internal = st.one_of(st.sampled_from(near), anywhere) if near else anywhere
    return internal.map(lambda v: json_value(f, v))


#: Raw values no field of the given type accepts (strings, wrong JSON types, out-of-range values).
_BAD = {
    m.BoolType: ["peut-être", 2, "oui non", 1.5],
    m.IntType: ["douze", True, 1.5, "1,5", "3 enfants"],
    m.MoneyType: ["12,345", "beaucoup", True, "1.2.3", 0.001],
    m.DateType: ["2026-02-30", "hier", "31/13/2026", 20260101],
    m.CodeType: [True, -3, 1.5],
    m.EnumType: ["étape inexistante", 3, True],
}


def invalid_rows(charter):
    """Households with exactly one wrong field: a bad value, an out-of-range one, null for a field
    that cannot be unknown, or a missing field without default. `Charter.validate` (and `route`)
    raise `InvalidHousehold` naming that field for each of them."""
    from hypothesis import strategies as st

    model = _model(charter)

    def spoil(household: dict, index: int, choice: int) -> dict:
        f = model.fields[index]
        wrong = list(_BAD[type(f.type)])
        kind = f.type
        if isinstance(kind, (m.IntType, m.MoneyType)):
            step = 1 if isinstance(kind, m.IntType) else 100  # one unit: a child, or one euro
            if kind.minimum is not None:
                wrong.append(json_value(f, kind.minimum - step))
            if kind.maximum is not None:
                wrong.append(json_value(f, kind.maximum + step))
        if not f.may_be_unknown:
            wrong += [None, ""] if not isinstance(kind, m.BoolType) else [None]
        spoiled = dict(household)
        if not f.has_default and choice == len(wrong):
            spoiled.pop(f.machine, None)
            return spoiled
        spoiled[f.machine] = wrong[choice % len(wrong)]
        return spoiled

    # Choices run past the longest list of wrong values, so that « field missing » is drawn too.
    return st.builds(spoil, households(model), st.integers(0, len(model.fields) - 1), st.integers(0, 12))
