"""Semantic diff of two charter versions: the exact regions of households whose service changes.

Both charters are lowered to atoms over a common domain (fields matched by machine name), which
is split, as the compiler and the verifier split it, until each version's outcome is fixed on
every region; regions where the outcomes differ are merged and each gets a household checked by
routing it through both versions.
"""

from __future__ import annotations

from attrs import frozen

from . import model as m
from .charter import Charter
from .dsl.lowering import (RELATIONS, F, T, And, Const, Domain, Ge, In, Known, LinearGe, Not, Or, ShiftGe,
                           Truth, atoms_of, linear_ge, lower, with_cells)
from .errors import InvalidHousehold, NoDecision, RepartitionError
from .proof.examples import Undecided, json_value, solve
from .proof.problems import merge
from .proof.regions import contains
from .proof.wording import box_parts, named_sets
from .semantics import DECIDED, Semantics

__all__ = ["NotComparable", "Region", "Difference", "Comparison", "compare", "outcome_key",
           "DEFAULT_BUDGET", "REFUSED"]

#: Most regions the comparison may split the domain into before giving up.
DEFAULT_BUDGET = 200_000
#: Outcome key of a household that a version refuses (a value outside its declarations).
REFUSED = "refus"
_KIND_NAMES = {"lacune": "lacune", "conflit": "conflit", "indetermination": "indétermination"}
_KINDS = {"bool": "oui ou non", "int": "nombre entier", "money": "montant en euros", "date": "date",
          "code": "code", "enum": "liste de valeurs"}


class NotComparable(RepartitionError):
    """The two charters cannot be compared (incompatible declarations, or too many cases)."""


@frozen
class _CommonField:
    """A field of the common domain (matched by machine name) and its declaration in each version."""

    field: m.Field  # synthetic: widest bounds, every list value, unknown if either allows it
    kind: str
    old: m.Field | None
    new: m.Field | None
    # Stages, for descriptions; the synthetic enum itself is unordered (stage tests become lists).
    ordered: bool = False

    @property
    def machine(self) -> str:
        return self.field.machine

    @property
    def label(self) -> str:
        return self.field.label

    @property
    def values(self) -> tuple[str, ...]:
        """Enum: machine names of the values of both versions, in common order."""
        return tuple(v.machine for v in self.field.type.values)


@frozen
class Region:
    """A set of households: one cell mask per common field, plus relations between fields (atom → T/F)."""

    masks: tuple[int, ...]
    ratios: tuple[tuple[object, int], ...]


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
        values = tuple(_internal(common, household.get(common.machine)) for common in self.fields)
        return next((d for d in self.differences
                     if contains(self._domain, d.region.masks, d.region.ratios, values)), None)

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
        ordered = False
        if kind == "enum":
            seen: dict[str, m.EnumValue] = {}
            for f in (b, a):  # the new version's order first, then values it removed
                if f is not None:
                    for v in f.type.values:
                        seen.setdefault(v.machine, v)
            ordered = (b or a).type.ordered
            field_type = m.EnumType(tuple(seen.values()), ordered=False)
        elif kind in ("int", "money"):
            lows = [f.type.minimum for f in present]
            highs = [f.type.maximum for f in present]
            low = None if None in lows else min(lows)
            high = None if None in highs else max(highs)
            field_type = (m.IntType if kind == "int" else m.MoneyType)(low, high)
        elif kind == "code":  # two shapes: compared over every code (the notes say the shapes changed)
            shapes = {f.type for f in present}
            field_type = shapes.pop() if len(shapes) == 1 else m.CodeType()
        else:
            field_type = {"bool": m.BoolType, "date": m.DateType}[kind]()
        synthetic = m.Field(label, machine, field_type, index, may_be_unknown=unknown)
        fields.append(_CommonField(synthetic, kind, a, b, ordered))
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
            notes.append(f"valeurs ajoutées à « {b.label} » : " + ", ".join(added))
        if removed:
            notes.append(f"valeurs retirées de « {b.label} » : " + ", ".join(removed))
        if not added and not removed and olds != news and b.type.ordered:
            notes.append(f"ordre des étapes de « {b.label} » : {', '.join(olds)} → {', '.join(news)}")
    if kind in ("int", "money") and (a.type.minimum, a.type.maximum) != (b.type.minimum, b.type.maximum):
        notes.append(f"bornes de « {b.label} » : {_bounds(a)} → {_bounds(b)}")
    if kind == "code" and a.type != b.type:
        notes.append(f"forme des codes de « {b.label} » : {a.type.wording} → {b.type.wording} ; un code qui "
                     f"n'a pas la forme d'une version y est refusé")
    if a.may_be_unknown != b.may_be_unknown:
        notes.append(f"« {b.label} » " + ("peut désormais être inconnu" if b.may_be_unknown
                                         else "ne peut plus être inconnu"))
    if (a.has_default, a.default) != (b.has_default, b.default):
        notes.append(f"valeur par défaut de « {b.label} » : {_default(a)} → {_default(b)}")
    return notes


def _bounds(field: m.Field) -> str:
    return field.type.bounds_text().strip() or "sans bornes"


def _default(field: m.Field) -> str:
    return field.type.text(field.default) if field.has_default and field.default is not None else "aucune"


class _Side:
    """One version lowered onto the common domain: its rules' conditions and its validity."""

    def __init__(self, charter: Charter, fields: list[_CommonField], which: str):
        self.charter = charter
        model = charter.model
        self.semantics = Semantics(model)
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
        memo: dict = {}
        self._translated: dict[int, tuple] = {}  # by identity: definitions make the conditions graphs
        self.cores = {r.index: self._translate(lower(r.condition, memo)) for r in model.rules if not r.is_default}
        self.validity = _validity(fields, which)
        self.relevant = {r: [self.cores[r]] + [self.cores[e] for e in self.semantics.overriders[r]]
                         for r in self.rules}

    def _translate(self, core):
        found = self._translated.get(id(core))
        if found is None or found[0] is not core:  # the core is kept with it: its id stays its own
            found = self._translated[id(core)] = (core, self._translated_once(core))
        return found[1]

    def _translated_once(self, core):
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
            case LinearGe(terms=terms, bound=b):
                return linear_ge({self.position[f]: c for f, c in terms}, b)
            case ShiftGe(later=a, earlier=b, months=n, bound=k):
                return ShiftGe(self.position[a], self.position[b], n, k)
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
        return self.semantics.resolve(self.semantics.representative(possible)), None

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
    sets, stages = _named_sets(sides), _stages(fields)
    for (key_a, key_b, ratios), regions in leaves.items():
        boxes = _merge([r for r in regions if _witness(domain, r, ratios) is not False])
        if simplify:
            boxes = _widen(explorer, boxes, ratios, (key_a, key_b))
        for masks in boxes:
            region = Region(masks, _essential(domain, masks, ratios))
            values = _witness(domain, masks, ratios)
            if values is None:
                unresolved += 1
            household = None if values in (None, False) else _household(fields, values)
            checked = household is not None and outcome_key(old, household, by_rule) == key_a \
                and outcome_key(new, household, by_rule) == key_b
            differences.append(Difference(region, tuple(box_parts(domain, masks, region.ratios, sets, stages)),
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
        """Yield (region, fixed ratios, old key, new key) for every leaf under a region.

        Without `limit`, each region explored counts against the comparison's budget; with it
        (tidying a finished comparison), only `limit` bounds the work and _TooMany ends it.
        """
        stack = [(region, fixed)]
        count = 0
        while stack:
            region, fixed = stack.pop()
            count += 1
            if limit is not None:
                if count > limit:
                    raise _TooMany()
            else:
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
                candidate = with_cells(masks, index, cells.full)
                if explorer.uniform(candidate, ratios, keys):
                    masks = candidate
        widened.append(masks)
    covers = {w: {i for i, b in enumerate(boxes) if _inside(b, w)} for w in dict.fromkeys(widened)}
    uncovered, kept = set(range(len(boxes))), []
    while uncovered:
        best = max(covers, key=lambda w: len(covers[w] & uncovered))
        kept.append(best)
        uncovered -= covers[best]
    return _merge(kept) if len(kept) > 1 else kept


def _inside(box: tuple, other: tuple) -> bool:
    """Whether every cell of a box is also in the other box."""
    return all(x | y == y for x, y in zip(box, other))


def _split(domain: Domain, region: tuple, fixed: dict, cores: list) -> list[tuple]:
    """Two sub-regions fixing the atom most often undecided among the cores (unknown split first)."""
    atom = domain.choose([atoms_of(core) for core in cores], region, fixed)
    field, first, second = domain.split(atom, region)
    if field is None and isinstance(atom, RELATIONS):
        return [(region, {**fixed, atom: T}), (region, {**fixed, atom: F})]
    return [(first, fixed), (second, fixed)]


def _merge(regions: list[tuple]) -> list[tuple]:
    """Merge boxes (all with the same ratio constraints) that differ in one field only."""
    return sorted(masks for masks, _ in merge((masks, ()) for masks in regions))


# ---- witnesses ------------------------------------------------------------------------------

def _witness(domain: Domain, masks: tuple, ratios: tuple):
    """Internal values, one per common field, of a household in the region.

    False when the ratio constraints make the region empty, None when no household was found.
    """
    try:
        values = solve(domain, masks, ratios)
    except Undecided:
        return None
    return False if values is None else values


def _essential(domain: Domain, masks: tuple, ratios: tuple) -> tuple:
    """Drop each ratio constraint that the others and the box provably imply (same households)."""
    kept = list(ratios)
    for constraint in ratios:
        atom, truth = constraint
        others = [c for c in kept if c != constraint]
        if _witness(domain, masks, tuple(others) + ((atom, F if truth == T else T),)) is False:
            kept = others
    return tuple(kept)


# ---- households and descriptions -------------------------------------------------------------

def _household(fields: list[_CommonField], values) -> dict:
    """Input values (as a JSON caller would give them) of a household of the common domain."""
    return {common.machine: json_value(common.field, value) for common, value in zip(fields, values)}


def _internal(common: _CommonField, raw):
    return None if raw is None else common.field.type.read(raw)


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


def _named_sets(sides) -> dict[int, dict[str, frozenset]]:
    """Per common code field, the named sets and tables either version tests (the new one's first)."""
    found: dict[int, dict[str, frozenset]] = {}
    for side in reversed(sides):
        for index, named in named_sets(side.charter.model).items():
            common = found.setdefault(side.position[index], {})
            for name, values in named.items():
                common.setdefault(name, values)
    return found


def _stages(fields: list[_CommonField]) -> dict[int, tuple[int, ...]]:
    """Per list of stages, its common values in the order of the newest version that has it."""
    return {common.field.index: tuple(common.values.index(v.machine)
                                      for v in (common.new or common.old).type.values)
            for common in fields if common.ordered}
