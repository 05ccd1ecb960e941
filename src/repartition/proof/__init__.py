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
solution found, months tying three dates where none is found, or regions left when the budget runs out
— is reported as `indecis` with its region: the proof never claims "proven" on a guess and never
hangs. Partial examples (`partial.check_example`) are checked by the same splitting, over the
region of the values they give.
Dead rules and useless exceptions are decided by the same splitting (`Explorer.search`). A rule
is dead when no household has it decide. An exception is useful where it is true while its rule,
or a rule that its rule sets aside in turn, is true or unknown: setting aside a rule whose
condition is unknown is how a charter says what to do when a value is unknown. An exception
true nowhere like that never sets anything aside, and is reported as useless.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from attrs import frozen

from .. import model as m
from .. import runtime
from ..dsl.interpreter import Interpreter
from ..errors import NoDecision
from ..semantics import CONFLICT, DECIDED, GAP, T, U, Outcome, Semantics
from .examples import Undecided, external, solve
from .problems import ERROR, HEADINGS, KINDS, WARNING, Problem, describe
from .regions import DEFAULT_NODES, DEFAULT_SECONDS, Budget, Explorer

if TYPE_CHECKING:  # pragma: no cover
    from ..charter import Charter

__all__ = ["verify", "Report", "Problem", "KINDS", "ERROR", "WARNING"]

_EXAMPLE_TRIES = 12  # leaves tried before giving up on showing a reproducing example
_MAX_HOLE_LEAVES = 400  # beyond this, pairing gap leaves into separate holes costs too much


@frozen
class Report:
    """What the proof found: problems (errors and warnings), and what it cost."""

    problems: tuple[Problem, ...]
    seconds: float
    regions: int  # final regions (leaves) of the domain
    nodes: int  # regions examined, leaves and splits

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


def verify(charter: "Charter | m.CharterModel", *, nodes: int = DEFAULT_NODES,
           seconds: float = DEFAULT_SECONDS) -> Report:
    """Prove that every household gets exactly one service, or list the problems with examples."""
    model = charter if isinstance(charter, m.CharterModel) else charter.model
    return _Verifier(model, nodes, seconds).run()


class _Verifier:
    """One run of the proof over one charter model, sharing one budget between its searches."""

    def __init__(self, model: m.CharterModel, nodes: int, seconds: float):
        self.model = model
        self.budget = Budget(nodes, seconds)
        self.semantics = Semantics(self.model)
        self.explorer = Explorer(self.model, self.semantics)
        self.domain = self.explorer.domain
        self.rules = self.model.rules
        self._interpreter = Interpreter()
        self.today = self.model.valid_from
        self.maybe_alive: set[int] = set()  # rules that may decide in a region left undecided

    # ---- the whole proof ------------------------------------------------------------------------
    def run(self) -> Report:
        start = time.perf_counter()
        leaves, pending = self.explorer.explore(self.budget)
        kept, undecided = [], [(p.region, p.fixed) for p in pending]
        points = {}
        for leaf in leaves:
            if leaf.fixed:
                try:
                    point = solve(self.domain, leaf.region, leaf.fixed, self.today)
                except Undecided:
                    undecided.append((leaf.region, leaf.fixed))
                    self.maybe_alive.update(leaf.deciding)
                    self.maybe_alive.update(leaf.outcome.rules)
                    continue
                if point is None:
                    continue
                points[id(leaf)] = point
            kept.append(leaf)
        problems: list[Problem] = []
        problems += self._outcome_problems(kept, points)
        unsettled: list = []  # regions the searches below could not settle: they are not the households'
        if not pending:
            problems += self._dead_rules(kept, unsettled)
            problems += self._useless_exceptions(unsettled)
            problems += self._redundancies(kept, points)
        if undecided:
            problems.append(Problem("indecis", "la preuve n'a pas pu conclure sur cette région dans son "
                                    "budget (taille, temps, ou contraintes liant plus de deux données)",
                                    (), self._describe(undecided), None, tuple(undecided)))
        if unsettled:
            problems.append(Problem("indecis", "chaque ménage a un service et un seul, mais la recherche des "
                                    "règles mortes et des exceptions inutiles n'a pas pu conclure dans son "
                                    "budget sur cette région", (), self._describe(unsettled), None,
                                    tuple(unsettled)))
        order = list(KINDS)
        problems.sort(key=lambda p: order.index(p.kind))
        return Report(tuple(problems), time.perf_counter() - start, len(leaves), self.budget.used)

    # ---- gaps, conflicts, undetermined ------------------------------------------------------------
    def _outcome_problems(self, kept, points) -> list[Problem]:
        groups: dict = {}
        for leaf in kept:
            if leaf.outcome.kind != DECIDED:
                groups.setdefault((leaf.outcome.kind, leaf.outcome.rules), []).append(leaf)
        problems = []
        for (kind, rules), leaves in groups.items():
            # One problem per separate hole, not one for all of them.
            for found in (self._holes(leaves) if kind == GAP else [leaves]):
                def check(values, kind=kind, rules=rules):
                    outcome = self._outcome(values)
                    return outcome.kind == kind and outcome.rules == rules

                boxes = tuple((l.region, l.fixed) for l in found)
                problems.append(Problem(kind, self._message(kind, rules), self._rule_refs(rules),
                                        self._describe(boxes), self._example(found, points, check), boxes))
        return problems

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
        problems = []
        for rule in self.rules:
            if rule.index in alive or rule.index in self.maybe_alive:
                continue  # alive, or not settled (the undecided region is reported as indecis)
            if rule.is_default:
                problems.append(Problem(
                    "regle_morte", f"la règle par défaut « {rule.name} » ne décide pour aucun ménage : "
                    "les autres règles répartissent déjà tous les ménages",
                    self._rule_refs((rule.index,)), "aucun ménage", None))
                continue
            boxes, witness, complete = self._where({rule.index: T}, undecided)
            if not boxes and not complete:
                continue  # reported as indecis
            if not boxes:
                problems.append(Problem(
                    "regle_morte", f"la règle « {rule.name} » ne décide pour aucun ménage : sa condition "
                    "n'est jamais vraie", self._rule_refs((rule.index,)), "aucun ménage", None))
                continue
            example = None
            involved = (rule.index,)
            if witness is not None:
                conditions = self._conditions(self._read(witness))
                deciding, _ = self.semantics.classify(conditions)
                if conditions[rule.index] is True and rule.index not in deciding:
                    example = external(self.model, witness)
                    involved += tuple(e for e in self.semantics.overriders[rule.index]
                                      if conditions[e] is not False)
            problems.append(Problem(
                "regle_morte", f"la règle « {rule.name} » ne décide pour aucun ménage : là où sa "
                "condition est vraie, une exception l'écarte ou une valeur inconnue la laisse en suspens",
                self._rule_refs(involved), "condition vraie pour : " + self._describe(boxes), example,
                tuple(boxes)))
        return problems

    def _useless_exceptions(self, undecided) -> list[Problem]:
        problems = []
        for rule in self.rules:
            for target in rule.overrides:  # the checker refuses exceptions to or by the default rule
                if self._useful(rule.index, target, undecided) is not False:
                    continue  # useful, or not settled (the undecided region is reported as indecis)
                boxes, witness, _ = self._where({rule.index: T}, undecided)
                example = None
                if witness is not None:
                    conditions = self._conditions(self._read(witness))
                    if conditions[rule.index] is True and conditions[target] is not True:
                        example = external(self.model, witness)
                region = ("condition de l'exception vraie pour : " + self._describe(boxes)) if boxes \
                    else "aucun ménage (la condition de l'exception n'est jamais vraie)"
                problems.append(Problem(
                    "exception_inutile", f"« {rule.name} » est une exception à « {self.rules[target].name} », "
                    "mais elle n'est jamais vraie quand cette règle (ou une règle qu'elle écarte) "
                    "s'applique ou pourrait s'appliquer : elle ne l'écarte jamais",
                    self._rule_refs((rule.index, target)), region, example, tuple(boxes)))
        return problems

    def _useful(self, exception: int, target: int, undecided: list) -> bool | None:
        """Whether the exception is true somewhere its rule, or a rule its rule sets aside in turn,
        is true or unknown (None when the budget ran out first).

        An unknown rule counts: setting it aside is how a charter says what to do when a value is
        unknown.
        """
        below = [target] + [q.index for q in self.rules if target in self.semantics.overriders[q.index]]
        complete = True
        for rule in below:
            found, _, done = self._where({exception: T, rule: T | U}, undecided, first_only=True)
            if found:
                return True
            complete = complete and done
        return False if complete else None

    def _redundancies(self, kept, points) -> list[Problem]:
        groups: dict = {}
        for leaf in kept:
            if leaf.outcome.kind == DECIDED and len(leaf.deciding) > 1:
                groups.setdefault(leaf.deciding, []).append(leaf)
        problems = []
        for rules, found in groups.items():
            names = ", ".join(f"« {self.rules[r].name} »" for r in rules)

            def check(values, rules=rules):
                outcome = self._outcome(values)
                return outcome.kind == DECIDED and outcome.rules == rules

            service = self.rules[rules[0]].service.code
            boxes = tuple((l.region, l.fixed) for l in found)
            problems.append(Problem(
                "redondance", f"les règles {names} s'appliquent ensemble et désignent le même service ({service})",
                self._rule_refs(rules), self._describe(boxes), self._example(found, points, check), boxes))
        return problems

    def _where(self, wanted: dict, undecided: list, first_only: bool = False):
        """Feasible boxes where the rules' conditions take the wanted bits, and one point in them."""
        cores = [(self.explorer.cores[r], bit) for r, bit in wanted.items()]
        found, pending = self.explorer.search(cores, self.budget)
        undecided.extend((p.region, p.fixed) for p in pending)
        complete = not pending
        boxes, witness = [], None
        for region, fixed in found:
            try:
                point = solve(self.domain, region, fixed, self.today)
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
        return boxes, witness, complete

    # ---- helpers ----------------------------------------------------------------------------------
    def _example(self, leaves, points, check) -> dict | None:
        """The first readable household of the leaves that the interpreter reproduces."""
        for leaf in leaves[:_EXAMPLE_TRIES]:
            values = points.get(id(leaf))
            if values is None:
                try:
                    values = solve(self.domain, leaf.region, leaf.fixed, self.today)
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
