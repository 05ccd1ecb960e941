"""Semantic diff of two charter versions: the exact regions of households whose service changes.

Both charters are lowered to atoms over a common domain (fields matched by machine name), which
is split, as the compiler and the verifier split it, until each version's outcome is fixed on
every region; regions where the outcomes differ are merged and each gets a household checked by
routing it through both versions.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction

from attrs import frozen

from . import model as m
from .charter import Charter
from .dsl.lowering import (F, T, U, And, Const, Domain, Ge, In, Known, Not, Or, RatioGe, Truth,
                           atoms_of, lower)
from .errors import InvalidHousehold, NoDecision, RepartitionError
from .semantics import DECIDED, Semantics

__all__ = ["NotComparable", "Region", "Difference", "Comparison", "compare", "outcome_key",
           "DEFAULT_BUDGET", "REFUSED"]

#: Most regions the comparison may split the domain into before giving up.
DEFAULT_BUDGET = 200_000
#: Outcome key of a household that a version refuses (a value outside its declarations).
REFUSED = "refus"
_KIND_NAMES = {"lacune": "lacune", "conflit": "conflit", "indetermination": "indétermination"}
_NUMBER_WORDS = {"eq": ": {}", "le": "au plus {}", "ge": "au moins {}", "between": "entre {} et {}"}
_DATE_WORDS = {"eq": "le {}", "le": "jusqu'au {}", "ge": "à partir du {}", "between": "du {} au {}"}
_A_DAY = 739617  # 2026-01-01 as an ordinal
_MAX_BOXES = 256  # combinations of cells tried when looking for a household meeting ratio constraints
_KINDS = {"bool": "oui ou non", "int": "nombre entier", "money": "montant en euros", "date": "date",
          "code": "code", "enum": "liste de valeurs"}


class NotComparable(RepartitionError):
    """The two charters cannot be compared (incompatible declarations, or too many cases)."""


@frozen
class _CommonField:
    machine: str
    label: str
    kind: str
    field: m.Field  # synthetic field of the common domain
    old: m.Field | None
    new: m.Field | None
    values: tuple[str, ...] = ()  # enum: machine names in common order
    labels: tuple[str, ...] = ()
    ordered: bool = False


@frozen
class Region:
    """A set of households: one cell mask per common field, plus ratio constraints (atom → T/F)."""

    masks: tuple[int, ...]
    ratios: tuple[tuple[RatioGe, int], ...]


@frozen
class Difference:
    """Households (a merged region) whose outcome changes, with a witness routed through both."""

    region: Region
    conditions: tuple[str, ...]  # French, one per constrained field or ratio
    old: tuple
    new: tuple
    household: dict | None  # machine name → input value; None if no witness was found
    checked: bool  # the household routes as old/new say, through both versions

    @property
    def text(self) -> str:
        return ", ".join(self.conditions) if self.conditions else "tous les ménages"


class Comparison:
    """The result of `compare`: data changes, differences, and per-service verdicts."""

    def __init__(self, old: Charter, new: Charter, by_rule: bool, fields, domain, differences,
                 notes, regions_explored: int):
        self.old, self.new, self.by_rule = old, new, by_rule
        self.fields = fields
        self._domain = domain
        self.differences: list[Difference] = differences
        self.notes: list[str] = notes
        self.regions_explored = regions_explored

    @property
    def equivalent(self) -> bool:
        return not self.differences

    def difference_for(self, household: dict) -> Difference | None:
        """The difference whose region holds a household (input values, every common field given)."""
        values = [_internal(common, household.get(common.machine)) for common in self.fields]
        bits = []
        for cells, value in zip(self._domain.fields, values):
            bits.append(cells.unknown_bit if value is None else 1 << _cell_index(cells, value))
        for difference in self.differences:
            region = difference.region
            if all(mask & bit for mask, bit in zip(region.masks, bits)) and all(
                    _ratio_holds(atom, values) == (truth == T) for atom, truth in region.ratios):
                return difference
        return None

    def outcome_text(self, key: tuple) -> str:
        if key[0] == REFUSED:
            return "refusé"
        if key[0] != DECIDED:
            return f"non orienté ({_KIND_NAMES.get(key[0], key[0])})"
        return key[1] + (f" par « {key[2]} »" if len(key) > 2 else "")

    def services(self) -> dict[str, dict]:
        """For each service code: indices (1-based) of the regions it gains and loses."""
        codes = list(dict.fromkeys([*self.old.services, *self.new.services]))
        verdicts = {}
        for code in codes:
            gains = [i for i, d in enumerate(self.differences, 1)
                     if _service(d.new) == code and _service(d.old) != code]
            losses = [i for i, d in enumerate(self.differences, 1)
                      if _service(d.old) == code and _service(d.new) != code]
            if gains and losses:
                verdict = "gagne et perd des ménages"
            elif gains:
                verdict = "gagne des ménages"
            elif losses:
                verdict = "perd des ménages"
            else:
                verdict = "inchangé"
            verdicts[code] = {"verdict": verdict, "gagne": gains, "perd": losses}
        return verdicts

    def to_dict(self) -> dict:
        return {
            "equivalentes": self.equivalent,
            "critere": "regle" if self.by_rule else "service",
            "ancienne": _charter_dict(self.old),
            "nouvelle": _charter_dict(self.new),
            "donnees": self.notes,
            "differences": [
                {"conditions": list(d.conditions), "texte": d.text,
                 "ancienne": self.outcome_text(d.old), "nouvelle": self.outcome_text(d.new),
                 "exemple": d.household, "verifie": d.checked}
                for d in self.differences
            ],
            "services": self.services(),
        }


def _charter_dict(charter: Charter) -> dict:
    return {"titre": charter.title, "version": charter.version, "sha256": charter.sha256}


def _service(key: tuple) -> str | None:
    return key[1] if key[0] == DECIDED else None


# ---- the common domain ----------------------------------------------------------------------

def _kind(field: m.Field) -> str:
    kind = field.type
    if isinstance(kind, m.EnumType):
        return "enum"
    return {m.BoolType: "bool", m.IntType: "int", m.MoneyType: "money", m.DateType: "date",
            m.CodeType: "code"}[type(kind)]


def _common_fields(old: m.CharterModel, new: m.CharterModel) -> tuple[list[_CommonField], list[str]]:
    olds = {f.machine: f for f in old.fields}
    news = {f.machine: f for f in new.fields}
    machines = list(dict.fromkeys([*news, *olds]))
    fields, notes = [], []
    for index, machine in enumerate(machines):
        a, b = olds.get(machine), news.get(machine)
        present = [f for f in (a, b) if f is not None]
        kinds = {_kind(f) for f in present}
        if len(kinds) > 1:
            raise NotComparable(
                f"la donnée « {machine} » n'a pas le même type dans les deux versions "
                f"({_KINDS[_kind(a)]} dans l'ancienne, {_KINDS[_kind(b)]} dans la nouvelle) : "
                "les ménages de l'une ne sont pas ceux de l'autre")
        (kind,) = kinds
        label = (b or a).label
        unknown = any(f.may_be_unknown for f in present)
        values: tuple[str, ...] = ()
        labels: tuple[str, ...] = ()
        ordered = False
        if kind == "enum":
            seen: dict[str, str] = {}
            for f in (b, a):
                if f is not None:
                    for v in f.type.values:
                        seen.setdefault(v.machine, v.label)
            values, labels = tuple(seen), tuple(seen.values())
            ordered = (b or a).type.ordered
            field_type = m.EnumType(tuple(m.EnumValue(l, v) for v, l in zip(values, labels)), ordered=False)
        elif kind in ("int", "money"):
            lows = [f.type.minimum for f in present]
            highs = [f.type.maximum for f in present]
            low = None if None in lows else min(lows)
            high = None if None in highs else max(highs)
            field_type = (m.IntType if kind == "int" else m.MoneyType)(low, high)
        else:
            field_type = {"bool": m.BoolType, "date": m.DateType, "code": m.CodeType}[kind]()
        synthetic = m.Field(label, machine, field_type, index, may_be_unknown=unknown)
        fields.append(_CommonField(machine, label, kind, synthetic, a, b, values, labels, ordered))
        notes.extend(_field_notes(a, b, kind))
    return fields, notes


def _field_notes(a: m.Field | None, b: m.Field | None, kind: str) -> list[str]:
    """French notes on how a declaration changed between the versions."""
    if a is None:
        default = (f", valeur par défaut {b.type.text(b.default)}" if b.has_default and b.default is not None
                   else " (sans valeur par défaut : la nouvelle version l'exige)")
        return [f"donnée ajoutée : {b.label} [{b.machine}]{default} ; l'ancienne version l'ignore"]
    if b is None:
        return [f"donnée retirée : {a.label} [{a.machine}] ; la nouvelle version l'ignore"]
    notes = []
    if kind == "enum":
        olds = [v.machine for v in a.type.values]
        news = [v.machine for v in b.type.values]
        added = [v for v in news if v not in olds]
        removed = [v for v in olds if v not in news]
        if added:
            notes.append(f"valeurs ajoutées à {b.label} : " + ", ".join(added))
        if removed:
            notes.append(f"valeurs retirées de {b.label} : " + ", ".join(removed))
        if not added and not removed and olds != news and b.type.ordered:
            notes.append(f"ordre des étapes de {b.label} modifié")
    if kind in ("int", "money") and (a.type.minimum, a.type.maximum) != (b.type.minimum, b.type.maximum):
        notes.append(f"bornes de {b.label} modifiées")
    if a.may_be_unknown != b.may_be_unknown:
        notes.append(f"{b.label} " + ("peut désormais être inconnu" if b.may_be_unknown
                                       else "ne peut plus être inconnu"))
    if (a.has_default, a.default) != (b.has_default, b.default):
        notes.append(f"valeur par défaut de {b.label} modifiée")
    return notes


class _Side:
    """One version lowered onto the common domain: its rules' conditions and its validity."""

    def __init__(self, charter: Charter, fields: list[_CommonField], which: str):
        self.charter = charter
        self.semantics: Semantics = charter._semantics
        model = charter.model
        self.position = {}
        self.enum_map = {}
        for common in fields:
            own = getattr(common, which)
            if own is None:
                continue
            self.position[own.index] = common.field.index
            if common.kind == "enum":
                self.enum_map[own.index] = tuple(common.values.index(v.machine) for v in own.type.values)
        self.rules = [r.index for r in model.rules if not r.is_default]
        self.cores = {r.index: self._translate(lower(r.condition)) for r in model.rules if not r.is_default}
        self.validity = _validity(fields, which)
        self.relevant = {r: [self.cores[r]] + [self.cores[e] for e in self.semantics.overriders[r]]
                         for r in self.rules}
        self.width = len(model.rules)

    def _translate(self, core):
        match core:
            case And(operands=ops):
                return And(tuple(self._translate(o) for o in ops))
            case Or(operands=ops):
                return Or(tuple(self._translate(o) for o in ops))
            case Not(operand=op):
                return Not(self._translate(op))
            case Const():
                return core
            case Ge(field=f, bound=b):
                if f in self.enum_map:
                    mapping = self.enum_map[f]
                    return In(self.position[f], frozenset(mapping[i] for i in range(max(b, 0), len(mapping))))
                return Ge(self.position[f], b)
            case In(field=f, values=values):
                if f in self.enum_map:
                    mapping = self.enum_map[f]
                    return In(self.position[f], frozenset(mapping[i] for i in values))
                return In(self.position[f], values)
            case Truth(field=f):
                return Truth(self.position[f])
            case Known(field=f):
                return Known(self.position[f])
            case RatioGe(left=a, right=b, num=num, den=den, offset=k):
                return RatioGe(self.position[a], self.position[b], num, den, k)
        raise AssertionError(core)  # pragma: no cover

    def state(self, domain: Domain, region: tuple, fixed: dict):
        """(outcome key source, None) when fixed over the region, else (None, undecided cores)."""
        memo: dict = {}
        valid = domain.values(self.validity, region, fixed, memo)
        if valid == F:
            return REFUSED, None
        if valid & F:
            return None, [self.validity]
        possible = {r: domain.values(self.cores[r], region, fixed, memo) for r in self.rules}
        open_rules = [r for r in self.rules if len(self.semantics.possible_classes(r, possible)) > 1]
        if open_rules:
            return None, [core for r in open_rules for core in self.relevant[r]]
        values = [None] * self.width
        for r in self.rules:
            mask = possible[r]
            values[r] = True if mask & T else (False if mask & F else None)
        return self.semantics.resolve(tuple(values)), None

    def key(self, outcome, by_rule: bool) -> tuple:
        if outcome == REFUSED:
            return (REFUSED,)
        if outcome.kind != DECIDED:
            return (outcome.kind,)
        if by_rule:
            return (DECIDED, outcome.service, self.charter.rules[outcome.rules[0]].name)
        return (DECIDED, outcome.service)


def _validity(fields: list[_CommonField], which: str):
    """The condition under which a version accepts a household of the common domain."""
    parts = []
    for common in fields:
        own = getattr(common, which)
        if own is None:
            continue
        j = common.field.index
        ranges = []
        if common.kind == "enum" and len(own.type.values) < len(common.values):
            ranges.append(In(j, frozenset(common.values.index(v.machine) for v in own.type.values)))
        if common.kind in ("int", "money"):
            low, high = own.type.minimum, own.type.maximum
            if low is not None and low != common.field.type.minimum:
                ranges.append(Ge(j, low))
            if high is not None and high != common.field.type.maximum:
                ranges.append(Not(Ge(j, high + 1)))
        inside = And(tuple(ranges)) if ranges else None
        if own.may_be_unknown:
            if inside is not None:
                parts.append(Or((Not(Known(j)), inside)))
        elif common.field.may_be_unknown:
            parts.append(And((Known(j), inside)) if inside is not None else Known(j))
        elif inside is not None:
            parts.append(inside)
    return And(tuple(parts)) if parts else Const(True)


# ---- splitting ------------------------------------------------------------------------------

def compare(old: Charter, new: Charter, *, by_rule: bool = False,
            budget: int = DEFAULT_BUDGET, simplify: bool = True) -> Comparison:
    """Every household whose service (or, with by_rule, deciding rule) differs between versions.

    With `simplify`, each region is then widened field by field wherever the whole widened
    region is proven to change the same way, so that fewer, larger regions describe the change.
    """
    fields, notes = _common_fields(old.model, new.model)
    sides = (_Side(old, fields, "old"), _Side(new, fields, "new"))
    cores = [c for side in sides for c in (*side.cores.values(), side.validity)]
    domain = Domain(tuple(f.field for f in fields), cores)
    explorer = _Explorer(domain, sides, by_rule, budget)
    leaves: dict[tuple, list[tuple]] = {}
    for region, fixed, key_a, key_b in explorer.leaves(domain.full_region(), {}):
        if key_a != key_b:
            ratios = tuple(sorted(fixed.items(), key=repr))
            leaves.setdefault((key_a, key_b, ratios), []).append(region)
    differences, unresolved = [], 0
    sets = _named_sets(sides, fields)
    for (key_a, key_b, ratios), regions in leaves.items():
        boxes = _merge([r for r in regions if _witness(domain, fields, r, ratios) is not False],
                       len(fields))
        if simplify:
            boxes = _widen(explorer, boxes, ratios, (key_a, key_b))
        for masks in boxes:
            region = Region(masks, _essential(domain, fields, masks, ratios))
            values = _witness(domain, fields, masks, ratios)
            if values is None:
                unresolved += 1
            household = None if values in (None, False) else _household(fields, values)
            checked = household is not None and outcome_key(old, household, by_rule) == key_a \
                and outcome_key(new, household, by_rule) == key_b
            differences.append(Difference(region, _describe(domain, fields, masks, region.ratios, sets),
                                          key_a, key_b, household, checked))
    if unresolved:
        notes.append(f"{unresolved} région(s) sans ménage exemple trouvé (contraintes de rapport)")
    differences.sort(key=lambda d: (d.old, d.new, d.text))
    return Comparison(old, new, by_rule, fields, domain, differences, notes, explorer.explored)


class _Explorer:
    """Splits regions until both versions' outcomes are fixed, within a budget of regions."""

    def __init__(self, domain: Domain, sides, by_rule: bool, budget: int):
        self.domain, self.sides, self.by_rule, self.budget = domain, sides, by_rule, budget
        self.explored = 0

    def leaves(self, region: tuple, fixed: dict, limit: int | None = None):
        """Yield (region, fixed ratios, old key, new key) for every leaf under a region."""
        stack = [(region, fixed)]
        count = 0
        while stack:
            region, fixed = stack.pop()
            count += 1
            if limit is not None and count > limit:
                raise _TooMany()
            self.explored += 1
            if self.explored > self.budget:
                raise NotComparable(f"comparaison abandonnée : plus de {self.budget} cas à examiner ; "
                                    "les deux versions sont trop différentes pour être comparées "
                                    "exactement")
            (a, open_a), (b, open_b) = (side.state(self.domain, region, fixed) for side in self.sides)
            if open_a is None and open_b is None:
                yield region, fixed, self.sides[0].key(a, self.by_rule), self.sides[1].key(b, self.by_rule)
                continue
            stack.extend(reversed(_split(self.domain, region, fixed, (open_a or []) + (open_b or []))))

    def uniform(self, region: tuple, ratios: tuple, keys: tuple, limit: int = 2000) -> bool:
        """Whether every household of the region changes as `keys` says (False if unsure)."""
        try:
            return all((a, b) == keys for _, _, a, b in self.leaves(region, dict(ratios), limit))
        except _TooMany:
            return False


class _TooMany(Exception):
    """A uniformity check would explore too many regions."""


def _widen(explorer: _Explorer, boxes: list[tuple], ratios: tuple, keys: tuple) -> list[tuple]:
    """Widen boxes field by field where the widened box provably changes the same way, then keep
    the fewest widened boxes (greedily) that still cover every original one.

    The kept boxes may overlap; their union is exactly the union of the original boxes.
    """
    fields = explorer.domain.fields
    widened: list[tuple] = []
    for masks in boxes:
        if any(_inside(masks, other) for other in widened):
            continue  # already inside a widened box
        for index, cells in enumerate(fields):
            if masks[index] != cells.full:
                candidate = _with(masks, index, cells.full)
                if explorer.uniform(candidate, ratios, keys):
                    masks = candidate
        widened.append(masks)
    covers = {w: {i for i, b in enumerate(boxes) if _inside(b, w)} for w in dict.fromkeys(widened)}
    uncovered, kept = set(range(len(boxes))), []
    while uncovered:
        best = max(covers, key=lambda w: len(covers[w] & uncovered))
        kept.append(best)
        uncovered -= covers[best]
    return _merge(kept, len(fields)) if len(kept) > 1 else kept


def _inside(box: tuple, other: tuple) -> bool:
    return all(x | y == y for x, y in zip(box, other))


def _split(domain: Domain, region: tuple, fixed: dict, cores: list) -> list[tuple]:
    counts: dict = {}
    for core in cores:
        for atom in atoms_of(core):
            if domain.atom_values(atom, region, fixed) not in (T, F, U):
                counts[atom] = counts.get(atom, 0) + 1
    atom = max(counts, key=counts.get)
    fields = (atom.left, atom.right) if isinstance(atom, RatioGe) else (atom.field,)
    for f in fields:
        cells = domain.fields[f]
        if region[f] & cells.unknown_bit and region[f] & cells.known_mask:
            return [(_with(region, f, cells.unknown_bit), fixed),
                    (_with(region, f, region[f] & cells.known_mask), fixed)]
    if isinstance(atom, RatioGe):
        return [(region, {**fixed, atom: T}), (region, {**fixed, atom: F})]
    cells = domain.fields[atom.field]
    true = domain.masks[atom] & region[atom.field]
    false = region[atom.field] & ~domain.masks[atom] & cells.known_mask
    return [(_with(region, atom.field, true), fixed), (_with(region, atom.field, false), fixed)]


def _with(region: tuple, index: int, mask: int) -> tuple:
    return region[:index] + (mask,) + region[index + 1:]


def _merge(regions: list[tuple], width: int) -> list[tuple]:
    """Merge boxes that differ in one field only, until no two can be merged."""
    current = sorted(set(regions))
    changed = True
    while changed:
        changed = False
        for field in range(width):
            groups: dict[tuple, int] = {}
            for masks in current:
                rest = masks[:field] + masks[field + 1:]
                groups[rest] = groups.get(rest, 0) | masks[field]
            if len(groups) < len(current):
                changed = True
                current = sorted(rest[:field] + (mask,) + rest[field:] for rest, mask in groups.items())
    return current


# ---- witnesses ------------------------------------------------------------------------------

def _witness(domain: Domain, fields: list[_CommonField], masks: tuple, ratios: tuple):
    """Internal values, one per common field, of a household in the region.

    False when the ratio constraints make the region empty, None when no household was found.
    """
    values: list = [None] * len(fields)
    linked = {f for atom, _ in ratios for f in (atom.left, atom.right)}
    codes_used = set().union(*(cell[1] for cells in domain.fields if _is_code(cells)
                               for cell in cells.cells))
    for index, cells in enumerate(domain.fields):
        if index in linked:
            continue
        known = masks[index] & cells.known_mask
        values[index] = _cell_value(cells, known, codes_used) if known else None
    if not ratios:
        return values
    boxes = []
    order = sorted(linked)
    for index in order:
        cells = domain.fields[index]
        boxes.append([cell for bit, cell in enumerate(cells.cells) if masks[index] >> bit & 1])
    undecided = math.prod(len(b) for b in boxes) > _MAX_BOXES
    for combination in itertools.islice(itertools.product(*boxes), _MAX_BOXES):
        found = _solve(order, combination, ratios)
        if found:
            for index, value in zip(order, found):
                values[index] = value
            return values
        if found is None:
            undecided = True
    return None if undecided else False


def _essential(domain: Domain, fields: list[_CommonField], masks: tuple, ratios: tuple) -> tuple:
    """Drop each ratio constraint that the others and the box provably imply (same households)."""
    kept = list(ratios)
    for constraint in ratios:
        atom, truth = constraint
        others = [c for c in kept if c != constraint]
        if _witness(domain, fields, masks, tuple(others) + ((atom, F if truth == T else T),)) is False:
            kept = others
    return tuple(kept)


def _is_code(cells) -> bool:
    return isinstance(cells.field.type, m.CodeType)


def _cell_value(cells, mask: int, codes_used: set):
    for bit, cell in enumerate(cells.cells):
        if mask >> bit & 1:
            if isinstance(cell, tuple) and cell and cell[0] == "codes":
                if cell[1]:
                    return min(cell[1])
                return next(c for c in (f"X{n}" for n in itertools.count()) if c not in codes_used)
            if isinstance(cells.field.type, m.DateType) and cell == (None, None):
                return _A_DAY  # an unbounded date: any real day will do
            return cells.sample(1 << bit)
    return None  # pragma: no cover


def _solve(order: list[int], box: tuple, ratios: tuple):
    """Whole numbers within the box meeting every ratio constraint: a list, False if none exist.

    Constraints are `sum(coefficient × variable) >= constant`; variables are fixed one at a time
    at whole numbers of the interval Fourier–Motzkin elimination leaves them (exact for two
    variables; None when the search gives up without deciding).
    """
    constraints = []
    for position, (low, high) in enumerate(box):
        if low is not None:
            constraints.append(({position: Fraction(1)}, Fraction(low)))
        if high is not None:
            constraints.append(({position: Fraction(-1)}, Fraction(-high)))
    where = {field: position for position, field in enumerate(order)}
    for atom, truth in ratios:
        coefficients: dict[int, Fraction] = {}
        coefficients[where[atom.left]] = coefficients.get(where[atom.left], 0) + atom.den
        coefficients[where[atom.right]] = coefficients.get(where[atom.right], 0) - atom.num
        if truth == T:
            constraints.append((coefficients, Fraction(atom.offset)))
        else:
            constraints.append(({v: -c for v, c in coefficients.items()}, Fraction(1 - atom.offset)))
    return _search(list(range(len(order))), constraints, {}, [2000])


def _search(variables: list[int], constraints: list, chosen: dict, budget: list):
    if not variables:
        return [chosen[v] for v in sorted(chosen)]
    budget[0] -= 1
    if budget[0] < 0:
        return None
    variable = variables[0]
    interval = _interval(variable, constraints)
    if interval is False:
        return False
    low, high = interval
    low = None if low is None else math.ceil(low)
    high = None if high is None else math.floor(high)
    if low is not None and high is not None and low > high:
        return False
    candidates, complete = _candidates(low, high)
    if len(variables) == 1:  # its interval is exact: every whole number in it fits
        return [*(chosen[v] for v in sorted(chosen)), candidates[0]]
    undecided = not complete
    for value in candidates:
        rest = _substitute(constraints, variable, value)
        if rest is False:
            continue
        found = _search(variables[1:], rest, {**chosen, variable: value}, budget)
        if found:
            return found
        if found is None:
            undecided = True
    return None if undecided else False


def _candidates(low: int | None, high: int | None, width: int = 48) -> tuple[list[int], bool]:
    """Whole numbers to try in an interval (near its ends), and whether they are all of them."""
    if low is not None and high is not None and high - low + 1 <= 2 * width:
        return list(range(low, high + 1)), True
    if low is None and high is None:
        return sorted({v for k in range(width) for v in (k, -k)}, key=abs), False
    values = []
    if low is not None:
        values += [low + k for k in range(width)]
    if high is not None:
        values += [high - k for k in range(width)]
    return list(dict.fromkeys(values)), False


def _substitute(constraints: list, variable: int, value: int):
    result = []
    for coefficients, constant in constraints:
        if variable in coefficients:
            constant = constant - coefficients[variable] * value
            coefficients = {v: c for v, c in coefficients.items() if v != variable}
        if not any(coefficients.values()):
            if constant > 0:
                return False
            continue
        result.append((coefficients, constant))
    return result


def _interval(variable: int, constraints: list):
    """The real interval of a variable once every other one is eliminated; False if empty."""
    current = [(dict(c), k) for c, k in constraints]
    others = sorted({v for c, _ in current for v, x in c.items() if x and v != variable})
    for other in others:
        positive = [(c, k) for c, k in current if c.get(other, 0) > 0]
        negative = [(c, k) for c, k in current if c.get(other, 0) < 0]
        kept = [(c, k) for c, k in current if not c.get(other, 0)]
        for (cp, kp), (cn, kn) in itertools.product(positive, negative):
            a, b = cp[other], -cn[other]
            combined = {v: cp.get(v, 0) * b + cn.get(v, 0) * a for v in set(cp) | set(cn) if v != other}
            kept.append((combined, kp * b + kn * a))
        current = kept
        if len(current) > 4000:
            return (None, None)  # too many combinations: let the search try values
    low = high = None
    for coefficients, constant in current:
        c = coefficients.get(variable, 0)
        if c > 0:
            bound = constant / c
            low = bound if low is None else max(low, bound)
        elif c < 0:
            bound = constant / c
            high = bound if high is None else min(high, bound)
        elif constant > 0:
            return False
    if low is not None and high is not None and low > high:
        return False
    return low, high


# ---- households and descriptions -------------------------------------------------------------

def _household(fields: list[_CommonField], values: list) -> dict:
    """Input values (as a JSON caller would give them) of a household of the common domain."""
    household = {}
    for common, value in zip(fields, values):
        if value is None:
            household[common.machine] = None
        elif common.kind == "enum":
            household[common.machine] = common.values[value]
        elif common.kind == "money":
            household[common.machine] = str(Decimal(value).scaleb(-2))
        elif common.kind == "date":
            household[common.machine] = common.field.type.external(value).isoformat()
        else:
            household[common.machine] = value
    return household


def _internal(common: _CommonField, raw):
    if raw is None:
        return None
    if common.kind == "enum":
        return common.values.index(raw)
    return common.field.type.read(raw)


def _cell_index(cells, value) -> int:
    for bit, cell in enumerate(cells.cells):
        if isinstance(cell, tuple) and cell and cell[0] == "codes":
            if value in cell[1] or not cell[1]:
                return bit
        elif isinstance(cell, tuple):
            if (cell[0] is None or cell[0] <= value) and (cell[1] is None or value <= cell[1]):
                return bit
        elif cell == value and type(cell) is type(value):
            return bit
    raise ValueError(f"value {value!r} outside the domain of {cells.field.machine}")


def _ratio_holds(atom: RatioGe, values: list) -> bool:
    return atom.den * values[atom.left] - atom.num * values[atom.right] >= atom.offset


def outcome_key(charter: Charter, household: dict, by_rule: bool = False) -> tuple:
    """What routing a household gives, in the form `compare` uses: refused, not decided, or decided."""
    try:
        decision = charter.route(household)
    except InvalidHousehold:
        return (REFUSED,)
    except NoDecision as error:
        return (error.kind,)
    if by_rule:
        return (DECIDED, decision.service, decision.rule)
    return (DECIDED, decision.service)


def _named_sets(sides, fields: list[_CommonField]) -> dict[int, list[tuple[str, frozenset]]]:
    """Per common code field, the named sets and tables its conditions test (`dans « … »`)."""
    found: dict[int, dict[str, frozenset]] = {}

    def walk(condition, side):
        match condition:
            case m.Among(field=f, values=values, source=source) if source and isinstance(f.type, m.CodeType):
                found.setdefault(side.position[f.index], {}).setdefault(source, frozenset(values))
            case m.Not(operand=op):
                walk(op, side)
            case m.All(operands=ops) | m.Any(operands=ops):
                for op in ops:
                    walk(op, side)
            case m.DefinitionRef(definition=d):
                walk(d.condition, side)

    for side in reversed(sides):
        for rule in side.charter.rules:
            walk(rule.condition, side)
    return {index: list(named.items()) for index, named in found.items()}


def _describe(domain: Domain, fields: list[_CommonField], masks: tuple, ratios: tuple,
              sets: dict | None = None) -> tuple[str, ...]:
    parts = []
    for common, cells, mask in zip(fields, domain.fields, masks):
        if mask == cells.full:
            continue
        named = (sets or {}).get(common.field.index)
        text = _describe_codes(common, cells, mask, named) if named else None
        parts.append(text or _describe_field(common, cells, mask))
    for atom, truth in ratios:
        parts.append(_describe_ratio(fields, atom, truth))
    return tuple(parts)


def _describe_codes(common: _CommonField, cells, mask: int, named: list) -> str | None:
    """Codes described by the named sets they are in or out of, when that says exactly which."""
    known = mask & cells.known_mask
    if not known or mask & cells.unknown_bit:
        return None
    chosen = [bit for bit in range(len(cells.cells)) if known >> bit & 1]

    def inside(bit, values):
        codes = cells.cells[bit][1]
        return bool(codes) and next(iter(codes)) in values

    facts = []
    for name, values in named:
        flags = {inside(bit, values) for bit in chosen}
        if len(flags) == 1:
            facts.append((name, values, flags.pop()))
    selected = [bit for bit in range(len(cells.cells))
                if all(inside(bit, values) == flag for _, values, flag in facts)]
    if not facts or selected != chosen:
        return None
    return common.label + " " + " et ".join(
        f"{'dans' if flag else 'hors de'} « {name} »" for name, _, flag in facts)


def _describe_field(common: _CommonField, cells, mask: int) -> str:
    label = common.label
    known = mask & cells.known_mask
    unknown = bool(mask & cells.unknown_bit)
    if not known:
        return f"{label} inconnu"
    if known == cells.known_mask and not unknown:
        return f"{label} connu"
    suffix = " ou inconnu" if unknown else ""
    chosen = [cell for bit, cell in enumerate(cells.cells) if known >> bit & 1]
    if common.kind == "bool":
        return f"{label} : {'oui' if chosen[0] else 'non'}{suffix}"
    if common.kind == "enum":
        indices = sorted(chosen)
        names = [common.labels[i] for i in indices]
        if len(indices) == 1:
            return f"{label} : {names[0]}{suffix}"
        new = common.new or common.old
        own = [v.machine for v in new.type.values]
        if common.ordered and all(common.values[i] in own for i in indices):
            positions = sorted(own.index(common.values[i]) for i in indices)
            if positions == list(range(positions[0], positions[-1] + 1)):
                first, last = new.type.values[positions[0]].label, new.type.values[positions[-1]].label
                if positions[-1] == len(own) - 1:
                    return f"{label} au moins {first}{suffix}"
                if positions[0] == 0:
                    return f"{label} au plus {last}{suffix}"
                return f"{label} entre {first} et {last}{suffix}"
        return f"{label} parmi {', '.join(names)}{suffix}"
    if common.kind == "code":
        codes = sorted(set().union(*(cell[1] for cell in chosen)))
        if any(not cell[1] for cell in chosen):
            others = sorted(set().union(*(cell[1] for cell in cells.cells)) - set(codes))
            text = f"{label} hors de {', '.join(others)}" if others else f"{label} quelconque"
            if codes:
                text += f" (ou parmi {', '.join(codes)})"
            return text + suffix
        return f"{label} parmi {', '.join(codes)}{suffix}"
    show = common.field.type.text
    intervals: list[list] = []
    for cell in chosen:  # cells are sorted intervals: join the adjacent ones
        if intervals and intervals[-1][1] is not None and cell[0] is not None and intervals[-1][1] + 1 == cell[0]:
            intervals[-1][1] = cell[1]
        else:
            intervals.append(list(cell))
    words = _DATE_WORDS if common.kind == "date" else _NUMBER_WORDS
    texts = []
    for low, high in intervals:
        if low is not None and low == high:
            texts.append(words["eq"].format(show(low)))
        elif (low is None or low == common.field.type.minimum) and high is not None:
            texts.append(words["le"].format(show(high)))
        elif high is None or high == common.field.type.maximum:
            texts.append(words["ge"].format(show(low)))
        else:
            texts.append(words["between"].format(show(low), show(high)))
    return f"{label} " + " ou ".join(texts).replace(" ou : ", " ou ") + suffix


def _describe_ratio(fields: list[_CommonField], atom: RatioGe, truth: int) -> str:
    left, right = fields[atom.left].label, fields[atom.right].label
    factor = Fraction(atom.num, atom.den)
    shown = str(factor.numerator) if factor.denominator == 1 else \
        format(Decimal(factor.numerator) / Decimal(factor.denominator), "f").replace(".", ",")
    word = {(T, 0): "au moins", (T, 1): "plus de", (F, 0): "moins de", (F, 1): "au plus"}[(truth, atom.offset)]
    return f"{left} {word} {shown} fois {right}"

