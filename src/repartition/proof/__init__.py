"""The static proof that a charter sends every household of its domain to exactly one service.

Which engine does what, and why
-------------------------------
The main engine is *domain splitting* (`regions.Explorer`). Each rule's condition is lowered
exactly as the compiler lowers it (`dsl.lowering`): atoms on whole numbers (amounts in cents,
dates as day numbers, stages as indices) and a cut of every field's domain into cells at the
thresholds the rules use, plus an "unknown" cell where a field may be unknown. Within a box of
cells every box-shaped atom (a field against a constant, a list, a named set or a table) takes
one value, so splitting the domain box by box until every rule's part (decides, might decide,
neither) is fixed is *exact and complete* for such conditions; the outcome of each final box comes
from `Semantics.resolve`, the one semantics shared with the interpreter and the compiler. This
is why the proof needs no solver for the conditions that charters actually write, and why it is
fast: the work grows with the number of distinct regions the rules create, not with the size of
the domain. Conditions that tie several fields together — a multiple or a sum (`la dette est au
moins 2 fois la somme du loyer et des charges`: Σ c·x >= k over whole cents, `LinearGe`) or two
dates calendar months apart (`ShiftGe`) — are decided over a box from its corners where they can
be (a sum is linear, `add_months` never decreases), else split on as atoms whose truth is fixed
in each branch; whether a branch holds any household at all is then decided *exactly* by
`examples.solve`. Sums and multiples: `linear.point` eliminates variables one by one where that
is exact over whole numbers (a coefficient ±1 in each pair of bounds), makes a variable so by
fixing the residues of those it shares constraints with, and solves the last two exactly by
residues (`solve_pair`). Calendar months: `calendar.solve_dates` bounds the days between two
dates by functions constant on pieces of each month (days 1, 2–27, 28, 29, 30, 31), so each piece
is an interval, and the calendar repeats every 400 years. The same solvers build each example
household, readable (the threshold itself, or the threshold plus one cent or one day where the
bound is strict, a month end where only one fits), and every example is routed through the
reference interpreter before it is shown. No SMT solver is used: nothing the language can say
needs one, and a solver query costs far more than a box intersection. What the engine cannot
settle — residues or rows past `linear.MAX_PERIOD` or `linear.MAX_ROWS` with real but no whole
solution found, months tying three dates where none is found, or regions left when the budget
runs out — is reported as `indecis` with its region and the rules it could not settle: the proof
never claims "proven" on a guess and never hangs. The budget is counted in units of work
(regions examined, conditions and atoms looked at, examples solved), never in seconds, so that a
charter is proven or not alike on every machine; the compiler's decision tree is the first part
of the splitting, and the proof carries on from it. Thousands of conflicts are not all spelled
out: the first ones of each kind are, with their examples, and the others are counted. Partial
examples (`partial.check_example`) are checked by the same splitting, over the region of the
values they give.
Dead rules and useless exceptions are decided by the same splitting (`Explorer.search`). A rule
is dead when no household has it decide. An exception is useful where it is true while its rule,
or a rule that its rule sets aside in turn, is true or unknown: setting aside a rule whose
condition is unknown is how a charter says what to do when a value is unknown. An exception
true nowhere like that never sets anything aside, and is reported as useless.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING

from attrs import frozen

from .. import model as m
from .. import runtime
from ..dsl.interpreter import Interpreter
from ..dsl.lowering import RELATIONS, atoms_of
from ..errors import NoDecision
from ..semantics import CONFLICT, DECIDED, GAP, T, U, Outcome, Semantics, members
from ..values import count_text
from .examples import Undecided, external, solve
from .fixes import correct
from .linear import metered
from .problems import ERROR, HEADINGS, KINDS, LABELS, WARNING, Problem, describe
from .regions import DEFAULT_WORK, Budget, Explorer

if TYPE_CHECKING:  # pragma: no cover
    from ..charter import Charter

__all__ = ["verify", "Report", "Problem", "KINDS", "ERROR", "WARNING", "DEFAULT_WORK", "MAX_DETAILED"]

#: Problems of one kind spelled out with their region and example; the others are counted.
MAX_DETAILED = 20
_EXAMPLE_TRIES = 12  # leaves tried before giving up on showing a reproducing example
_MAX_HOLE_LEAVES = 150  # beyond this, pairing gap leaves into separate holes costs too much
_SOLVE_COST = 20  # units of work of one example solved in a region with ratio constraints
_MAX_NAMED = 10  # rules named in an `indecis` message before counting the others


@frozen
class Report:
    """What the proof found: problems (errors and warnings), and what it cost."""

    problems: tuple[Problem, ...]
    seconds: float  # measured, for information: the budget is counted in units of work
    regions: int  # final regions (leaves) of the domain
    work: int  # units of work spent (the decision tree's included)

    @property
    def ok(self) -> bool:
        """True exactly when no problem has gravity `erreur` (warnings allowed)."""
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of gravity `erreur`."""
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems of gravity `avertissement`."""
        return tuple(p for p in self.problems if p.severity == WARNING)

    def to_dict(self) -> dict:
        """The JSON form printed by `repartition verifier --format json`."""
        return {"ok": self.ok, "problemes": [p.to_dict() for p in self.problems]}

    def render(self) -> str:
        """Problems grouped by kind, in French."""
        blocks = []
        for kind in KINDS:
            found = [p for p in self.problems if p.kind == kind]
            if found:
                blocks.append(f"{HEADINGS[kind]} : {len(found)}\n" + "\n".join(p.render() for p in found))
        return "\n\n".join(blocks)


def verify(charter: "Charter | m.CharterModel", *, work: int | None = None) -> Report:
    """Prove that every household gets exactly one service, or list the problems with examples.

    `work` is the budget in units of work (DEFAULT_WORK unless given); a charter carries on from
    its compiled decision tree.
    """
    work = DEFAULT_WORK if work is None else work
    if isinstance(charter, m.CharterModel):
        return _Verifier(charter, work, None, None).run()
    tree = getattr(charter._compiled, "tree", None)  # None: a charter compiled without one (from a cache)
    return _Verifier(charter.model, work, charter._semantics, tree).run()


def _others(kind: str, count: int, partial: bool) -> str:
    """« et 1 234 autres conflits, non détaillés : corrigez d'abord les précédents » (« au moins »
    when the budget stopped the search for more)."""
    feminine = kind != "conflit"
    plural = "s" if count > 1 else ""
    label = _PLURALS[kind] if count > 1 else LABELS[kind]
    number = ("au moins " if partial else "") + f"{count:,}".replace(",", "\u202f")
    return (f"et {number} autre{plural} {label}, non détaillé{'e' if feminine else ''}{plural} : "
            f"corrigez d'abord les précédent{'e' if feminine else ''}s")


_PLURALS = {"lacune": "lacunes", "conflit": "conflits", "indetermination": "indéterminations",
            "regle_morte": "règles mortes", "exception_inutile": "exceptions inutiles", "redondance": "redondances"}


class _Verifier:
    """One run of the proof over one charter model, sharing one budget between its searches."""

    def __init__(self, model: m.CharterModel, work: int, semantics: Semantics | None, tree):
        self.model = model
        self.budget = Budget(work)
        self.semantics = semantics or Semantics(self.model)
        if tree is not None and tree.work > work:
            tree = None  # the compiler went further than this budget allows: start again within it
        self.explorer = Explorer(self.model, self.semantics, tree)
        self.domain = self.explorer.domain
        self.rules = self.model.rules
        self._interpreter = Interpreter()
        self.today = self.model.valid_from
        self.maybe_alive: set[int] = set()  # rules that may decide in a region left undecided
        self.unsettled_rules: set[int] = set()  # rules whose search the budget stopped
        self.points: dict[int, tuple] = {}  # id of a leaf with ratio constraints → a household there
        self.partial = False  # whether the budget left regions unexplored (counts are then lower bounds)
        self._relation_rules: dict | None = None  # relation atom → rules holding it, made when needed

    # ---- the whole proof ------------------------------------------------------------------------
    def run(self) -> Report:
        start = time.perf_counter()
        leaves, pending = self.explorer.explore(self.budget)
        self.partial = bool(pending)
        kept, undecided = [], [(p.region, p.fixed) for p in pending]
        unsure = {r for p in pending for r in p.rules}  # the rules of the regions left unsettled
        points = self.points
        for leaf in leaves:
            if leaf.fixed:
                try:
                    point = self._solve(leaf.region, leaf.fixed)
                except Undecided:
                    undecided.append((leaf.region, leaf.fixed))
                    self.maybe_alive.update(leaf.deciding)
                    self.maybe_alive.update(leaf.outcome.rules)
                    unsure.update(leaf.deciding + leaf.outcome.rules)
                    unsure.update(self._reading(leaf.fixed))  # the default may decide there: name the relations' rules
                    continue
                if point is None:
                    continue
                points[id(leaf)] = point
            kept.append(leaf)
        problems: list[Problem] = []
        problems += self._outcome_problems(kept)
        unsettled: list = []  # regions the searches below could not settle: they are not the households'
        if not pending:
            problems += self._dead_rules(kept, unsettled)
            problems += self._useless_exceptions(unsettled)
            problems += self._redundancies(kept)
        if undecided:
            problems.append(self._undecided("la preuve n'a pas pu conclure sur cette région dans son budget "
                                            "(taille, ou contraintes liant plus de deux données)", undecided, unsure))
        if unsettled:
            problems.append(self._undecided("chaque ménage a un service et un seul, mais la recherche des règles "
                                            "mortes et des exceptions inutiles n'a pas pu conclure dans son budget "
                                            "sur cette région", unsettled, self.unsettled_rules))
        order = list(KINDS)
        problems.sort(key=lambda p: order.index(p.kind))
        problems = correct(self.model, self.domain, problems)
        return Report(tuple(problems), time.perf_counter() - start, len(leaves), self.budget.used)

    def _reading(self, fixed: tuple) -> set[int]:
        """The rules whose conditions hold one of the relations (sums, multiples, months) fixed in a region."""
        if self._relation_rules is None:
            self._relation_rules = {}
            for r, core in self.explorer.cores.items():
                for atom in atoms_of(core):
                    if isinstance(atom, RELATIONS):
                        self._relation_rules.setdefault(atom, set()).add(r)
        return {r for atom, _ in fixed for r in self._relation_rules.get(atom, ())}

    def _undecided(self, message: str, boxes: list, rules: set) -> Problem:
        """An `indecis` problem naming the rules it could not settle (the first ones, and a count)."""
        named = sorted(r for r in rules if r != self.semantics.default)
        if named:
            shown = ", ".join(f"« {self.rules[r].name} »" for r in named[:_MAX_NAMED])
            others = len(named) - _MAX_NAMED
            rest = f" et {count_text(others, 'autre', 'autres')}" if others > 0 else ""
            message += f" ; règles non départagées : {shown}{rest}"
        return Problem("indecis", message, self._rule_refs(named[:_MAX_NAMED]), self._describe(boxes), None,
                       tuple(boxes))

    # ---- gaps, conflicts, undetermined ------------------------------------------------------------
    def _outcome_problems(self, kept) -> list[Problem]:
        groups: dict = {}
        for leaf in kept:
            if leaf.outcome.kind != DECIDED:
                groups.setdefault((leaf.outcome.kind, leaf.outcome.rules), []).append(leaf)
        problems = []
        for (kind, rules), leaves in groups.items():
            # One problem per separate hole, not one for all of them.
            for found in (self._holes(leaves) if kind == GAP else [leaves]):
                problems.append((kind, rules, found))
        return self._detailed(problems, self._outcome_problem)

    def _outcome_problem(self, kind: str, rules: tuple[int, ...], found: list) -> Problem:
        def check(values):
            outcome = self._outcome(values)
            return outcome.kind == kind and outcome.rules == rules

        boxes = tuple((l.region, l.fixed) for l in found)
        return Problem(kind, self._message(kind, rules), self._rule_refs(rules), self._describe(boxes),
                       self._example(found, self.points, check), boxes)

    def _detailed(self, found: list[tuple], make) -> list[Problem]:
        """The first MAX_DETAILED problems of each kind made by `make(kind, rules, leaves)`, with
        their region and example; one more problem counts the others (charters with hundreds of
        overlapping rules have thousands)."""
        by_kind: dict[str, list[tuple]] = {}
        for item in found:
            by_kind.setdefault(item[0], []).append(item)
        problems = []
        for kind, items in by_kind.items():
            problems += [make(*item) for item in items[:MAX_DETAILED]]
            if len(items) > MAX_DETAILED:
                problems.append(self._counted(kind, [rules for _, rules, _ in items[MAX_DETAILED:]]))
        return problems

    def _counted(self, kind: str, rule_sets: list[tuple[int, ...]]) -> Problem:
        """One problem counting the problems of a kind past the first MAX_DETAILED, with their rules."""
        involved = sorted({r for rules in rule_sets for r in rules})
        return Problem(kind, _others(kind, len(rule_sets), self.partial), self._rule_refs(involved[:_MAX_NAMED]),
                       "non détaillée", None, ())

    def _holes(self, leaves) -> list[list]:
        """Leaves split into connected parts (touching across one cell boundary): one hole each."""
        if len(leaves) > _MAX_HOLE_LEAVES:  # one problem for all of them
            return [leaves]
        parent = list(range(len(leaves)))

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, a in enumerate(leaves):
            for j in range(i):
                if self._touch(a, leaves[j]):
                    parent[root(i)] = root(j)
        parts: dict[int, list] = {}
        for i, leaf in enumerate(leaves):
            parts.setdefault(root(i), []).append(leaf)
        return list(parts.values())

    def _touch(self, a, b) -> bool:
        """Whether two disjoint regions share a face: equal ratio atoms but one, overlapping fields
        but one, and that one adjacent (ordered cells side by side; any two values otherwise)."""
        fa, fb = dict(a.fixed), dict(b.fixed)
        differ_atoms = [k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)]
        apart = [i for i, (x, y) in enumerate(zip(a.region, b.region)) if not x & y]
        if len(differ_atoms) + len(apart) > 1:
            return False
        if differ_atoms or not apart:
            return True
        i = apart[0]
        cells = self.domain.fields[i]
        if not cells.field.type.ordered:
            return True
        x, y = a.region[i], b.region[i]
        if (x | y) & cells.unknown_bit:
            return True
        return bool((x << 1) & y or (y << 1) & x)

    def _message(self, kind: str, rules: tuple[int, ...]) -> str:
        names = ", ".join(f"« {self.rules[r].name} »" for r in rules)
        services = ", ".join(dict.fromkeys(self.rules[r].service.code for r in rules))
        if kind == GAP:
            return NoDecision.KINDS[GAP]
        if kind == CONFLICT:
            return f"les règles {names} s'appliquent ensemble et désignent des services différents ({services})"
        if len({self.rules[r].service.code for r in rules}) == 1:
            return (f"le service dépend d'une valeur inconnue : selon cette valeur, {names} "
                    f"s'applique{'nt' if len(rules) > 1 else ''} ou aucune règle ne s'applique")
        return (f"le service dépend d'une valeur inconnue : les règles {names} pourraient s'appliquer "
                f"et désignent des services différents ({services})")

    def _outcome(self, values: tuple) -> Outcome:
        """The outcome of the household as shown, read back as routing reads it, by the interpreter."""
        return self.semantics.resolve(self._conditions(self._read(values)))

    def _conditions(self, values: tuple) -> tuple:
        return self._interpreter.conditions(self.rules, values)

    # ---- dead rules, useless exceptions, redundancies --------------------------------------------
    def _dead_rules(self, kept, undecided) -> list[Problem]:
        alive = set()
        default = self.semantics.default
        for leaf in kept:
            alive.update(leaf.deciding)
            if leaf.outcome.kind == DECIDED and default in leaf.outcome.rules:
                alive.add(default)
        # Not alive and settled (what is not is in the undecided region, reported as indecis).
        dead = [r for r in self.rules if r.index not in alive and r.index not in self.maybe_alive]
        problems = []
        for i, rule in enumerate(dead):
            if len(problems) == MAX_DETAILED:
                return problems + [self._counted("regle_morte", [(r.index,) for r in dead[i:]])]
            problem = self._dead_rule(rule, undecided)
            if problem is not None:
                problems.append(problem)
        return problems

    def _dead_rule(self, rule: m.Rule, undecided: list) -> Problem | None:
        """A dead rule described: where its condition is true, what sets it aside there (None when the
        search for where its condition is true ran out of budget)."""
        if rule.is_default:
            return Problem("regle_morte", f"la règle par défaut « {rule.name} » ne décide pour aucun ménage : "
                           "les autres règles répartissent déjà tous les ménages",
                           self._rule_refs((rule.index,)), "aucun ménage", None)
        boxes, witness, complete = self._where({rule.index: T}, undecided)
        if not boxes and not complete:
            return None  # reported as indecis
        if not boxes:
            return Problem("regle_morte", f"la règle « {rule.name} » ne décide pour aucun ménage : sa condition "
                           "n'est jamais vraie", self._rule_refs((rule.index,)), "aucun ménage", None)
        example = None
        involved = (rule.index,)
        if witness is not None:
            conditions = self._conditions(self._read(witness))
            deciding, _ = self.semantics.classify(conditions)
            if conditions[rule.index] is True and rule.index not in deciding:
                example = external(self.model, witness)
                involved += tuple(e for e in self.semantics.overriders[rule.index] if conditions[e] is not False)
        return Problem(
            "regle_morte", f"la règle « {rule.name} » ne décide pour aucun ménage : là où sa "
            "condition est vraie, une exception l'écarte ou une valeur inconnue la laisse en suspens",
            self._rule_refs(involved), "condition vraie pour : " + self._describe(boxes), example, tuple(boxes))

    def _useless_exceptions(self, undecided) -> list[Problem]:
        # Useful, or not settled (the undecided region is reported as indecis), or useless:
        useless = [(rule, target) for rule in self.rules for target in rule.overrides  # never the default rule
                   if self._useful(rule.index, target, undecided) is False]
        problems = [self._useless(rule, target, undecided) for rule, target in useless[:MAX_DETAILED]]
        if len(useless) > MAX_DETAILED:
            problems.append(self._counted("exception_inutile", [(r.index, t) for r, t in useless[MAX_DETAILED:]]))
        return problems

    def _useless(self, rule: m.Rule, target: int, undecided: list) -> Problem:
        """A useless exception described: where it is true, and a household there."""
        boxes, witness, _ = self._where({rule.index: T}, undecided)
        example = None
        if witness is not None:
            conditions = self._conditions(self._read(witness))
            if conditions[rule.index] is True and conditions[target] is not True:
                example = external(self.model, witness)
        region = ("condition de l'exception vraie pour : " + self._describe(boxes)) if boxes \
            else "aucun ménage (la condition de l'exception n'est jamais vraie)"
        return Problem(
            "exception_inutile", f"« {rule.name} » est une exception à « {self.rules[target].name} », "
            "mais elle n'est jamais vraie quand cette règle (ou une règle qu'elle écarte) "
            "s'applique ou pourrait s'appliquer : elle ne l'écarte jamais",
            self._rule_refs((rule.index, target)), region, example, tuple(boxes))

    def _useful(self, exception: int, target: int, undecided: list) -> bool | None:
        """Whether the exception is true somewhere its rule, or a rule its rule sets aside in turn,
        is true or unknown (None when the budget ran out first).

        An unknown rule counts: setting it aside is how a charter says what to do when a value is
        unknown.
        """
        complete = True
        for rule in itertools.chain((target,), members(self.semantics.below[target])):  # lazily: often the first
            found, _, done = self._where({exception: T, rule: T | U}, undecided, first_only=True)
            if found:
                return True
            complete = complete and done
        return False if complete else None

    def _redundancies(self, kept) -> list[Problem]:
        groups: dict = {}
        for leaf in kept:
            if leaf.outcome.kind == DECIDED and len(leaf.deciding) > 1:
                groups.setdefault(leaf.deciding, []).append(leaf)
        return self._detailed([("redondance", rules, found) for rules, found in groups.items()], self._redundancy)

    def _redundancy(self, kind: str, rules: tuple[int, ...], found: list) -> Problem:
        names = ", ".join(f"« {self.rules[r].name} »" for r in rules)

        def check(values):
            outcome = self._outcome(values)
            return outcome.kind == DECIDED and outcome.rules == rules

        service = self.rules[rules[0]].service.code
        boxes = tuple((l.region, l.fixed) for l in found)
        return Problem(
            "redondance", f"les règles {names} s'appliquent ensemble et désignent le même service ({service})",
            self._rule_refs(rules), self._describe(boxes), self._example(found, self.points, check), boxes)

    def _where(self, wanted: dict, undecided: list, first_only: bool = False):
        """Feasible boxes where the rules' conditions take the wanted bits, and one point in them."""
        cores = [(self.explorer.cores[r], bit) for r, bit in wanted.items()]
        found, pending = self.explorer.search(cores, self.budget)
        undecided.extend((p.region, p.fixed) for p in pending)
        complete = not pending
        boxes, witness = [], None
        for region, fixed in found:
            try:
                point = self._solve(region, fixed)
            except Undecided:
                undecided.append((region, fixed))
                complete = False
                continue
            if point is None:
                continue
            boxes.append((region, fixed))
            if witness is None:
                witness = point
            if first_only:
                break
        if not complete:
            self.unsettled_rules.update(wanted)
        return boxes, witness, complete

    def _solve(self, region: tuple, fixed: tuple) -> tuple | None:
        """A household of a region with relations between fields (`examples.solve`), within the
        budget: the solvers' own work (rows, residues, pieces of the calendar) is counted too."""
        if fixed and not self.budget.spend(_SOLVE_COST):
            raise Undecided()
        with metered() as spent:
            try:
                return solve(self.domain, region, fixed, self.today)
            finally:
                self.budget.spend(spent[0])

    # ---- helpers ----------------------------------------------------------------------------------
    def _example(self, leaves, points, check) -> dict | None:
        """The first readable household of the leaves that the interpreter reproduces."""
        for leaf in leaves[:_EXAMPLE_TRIES]:
            values = points.get(id(leaf))
            if values is None:
                try:
                    values = self._solve(leaf.region, leaf.fixed)
                except Undecided:
                    continue
            if values is not None and check(values):
                return external(self.model, values)
        return None

    def _read(self, values: tuple) -> tuple:
        """Internal values back from their JSON-style form, as routing reads them."""
        household = external(self.model, values)
        return tuple(runtime.read(f, household[f.machine]) for f in self.model.fields)

    def _rule_refs(self, rules) -> tuple[tuple[str, int | None], ...]:
        return tuple((self.rules[r].name, self.rules[r].line) for r in rules)

    def _describe(self, boxes) -> str:
        return describe(self.domain, self.model, boxes)
